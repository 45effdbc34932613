using CallCenter.Telephony.Screening;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>Bad input never crashes screening: odd Unicode, lone surrogates, control characters, long text.</summary>
[Collection(ScreeningGroup.Name)]
public sealed class RobustnessTests(ScreeningFixture fixture)
{
    [Fact]
    public void RandomTextNeverThrowsAndEveryHitPointsInsideTheText()
    {
        var random = new Random(6);
        string[] pieces = ["这是厂家的事", "不行", "「", "」", "\"", "嗯", "六二二二", "\uD83D\uDE00", "\uD800", "\uDC00", "\0", "\r\n", "ｶ", "ﬁ", "10分钟后给您回电", "下午三点前", "𠀀", " ", "，", "X"];
        var extractor = new PromiseExtractor(() => fixture.Engine, fixture.Catalog.Lexicon, TimeProvider.System);
        var redactor = new Redactor(fixture.Catalog.Lexicon, new RedactionOptions());
        var checkedTexts = 0;
        for (var i = 0; i < 2_000; i++)
        {
            var text = string.Concat(Enumerable.Range(0, random.Next(0, 12)).Select(_ => pieces[random.Next(pieces.Length)]));
            foreach (var speaker in new[] { Speaker.Agent, Speaker.Customer })
            {
                foreach (var hit in fixture.Engine.Screen(text, speaker))
                {
                    (hit.Start >= 0 && hit.Start + hit.Length <= text.Length).ShouldBeTrue(text);
                    text.Substring(hit.Start, hit.Length).ShouldBe(hit.MatchedText);
                }
            }

            extractor.Extract(text, DateTimeOffset.UnixEpoch).ShouldNotBeNull();
            redactor.Redact(text, "13800000000").Text.ShouldNotBeNull();
            checkedTexts++;
        }

        checkedTexts.ShouldBe(2_000);
    }

    [Fact]
    public void AVeryLongUtteranceIsScreenedWhole()
    {
        var text = string.Concat(Enumerable.Repeat("您好请问有什么可以帮您", 500)) + "这是厂家的事";
        fixture.Engine.Screen(text, Speaker.Agent).Select(h => h.Code).ShouldContain("TB01");
    }
}
