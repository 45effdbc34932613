using CallCenter.Telephony.Screening;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>Pattern compilation, fuzzy bounds and context exceptions (domain.md §1.3–§1.6).</summary>
[Collection(ScreeningGroup.Name)]
public sealed class MatchingTests(ScreeningFixture fixture)
{
    private List<string> Codes(string text, Speaker speaker = Speaker.Agent) =>
        fixture.Engine.Screen(text, speaker, RuleKind.Taboo).Select(h => h.Code).ToList();

    [Fact]
    public void CorePatternsExpandGroupsAndOptionalPartsAndSplitAtGaps()
    {
        var core = CorePattern.Parse("我(这里)?查不到", fixture.Catalog.Normalizer.Fold);
        core.Segments.ShouldHaveSingleItem().Literals.ShouldBe(["我这里查不到", "我查不到"], ignoreOrder: true);

        var gap = CorePattern.Parse("一定是.{0,10}错了", fixture.Catalog.Normalizer.Fold);
        gap.Segments.Count.ShouldBe(2);
        gap.Segments[1].GapMax.ShouldBe(10);
        gap.HasGaps.ShouldBeTrue();
    }

    [Theory]
    [InlineData("(没有闭合")]
    [InlineData("a.{5,2}b")]
    [InlineData("[abc]")]
    [InlineData("")]
    public void ABadCorePatternIsRefusedWithAReason(string pattern) =>
        Should.Throw<FormatException>(() => CorePattern.Parse(pattern, fixture.Catalog.Normalizer.Fold)).Message.ShouldNotBeEmpty();

    [Fact]
    public void TheIssuesHomophoneExamplesAreCaughtAsPinyinHitsWithLowerConfidence()
    {
        var hit = fixture.Engine.Screen("这是场家的事", Speaker.Agent).First(h => h.Code == "TB01");
        hit.Mode.ShouldBe(MatchMode.Pinyin);
        hit.MatchedText.ShouldBe("场家的事");
        hit.Confidence.ShouldBeLessThan(1.0);
        Codes("一分钱一份货").ShouldContain("TB03");
    }

    [Fact]
    public void AGapLongerThanThePatternAllowsDoesNotMatch()
    {
        Codes("一定是支行做错了").ShouldContain("TB44");
        Codes("一定是我们这边的系统在升级的时候把数据弄错了").ShouldNotContain("TB44");
    }

    [Theory]
    [InlineData("这个差不了")]        // 查不了 (3 chars) has no pinyin pass
    [InlineData("我有并发症的资料")]   // 我有病
    [InlineData("问题很简单")]        // 问题太简单: another syllable is not a homophone
    [InlineData("常用的是这个")]      // 常有的事 needs every syllable
    public void ShortPhrasesDoNotFireOnSoundAlikes(string text) => Codes(text).ShouldBeEmpty();

    [Fact]
    public void OneDroppedOrDoubledSyllableIsToleratedOnlyInLongerPhrases()
    {
        Codes("没有为什么规定就是这").ShouldContain("TB07");        // 规定就是这样 with the last syllable dropped
        Codes("这个我们不清楚你去问问别人吧").ShouldContain("TB05"); // doubled syllable
        Codes("那你就去买子的地方").ShouldContain("TB33");          // 去买机子的地方 with 机 dropped
    }

    [Theory]
    [InlineData("我不会说\"不知道\"")]
    [InlineData("我们不能说这是公司规定")]
    [InlineData("客户说“你爱买不买”，我很生气")]
    [InlineData("我们绝对不许说「这是厂家的事」")]
    public void NegatedReportedAndQuotedUsesDoNotFire(string text) => Codes(text).ShouldBeEmpty();

    [Fact]
    public void ShortRefusalsFireOnlyStandaloneAndWithoutAnAlternative()
    {
        Codes("不行。").ShouldContain("TB17");
        Codes("不行，您可以先把机器送过来检测").ShouldNotContain("TB17");
        Codes("这样不行的话我们换一个办法").ShouldNotContain("TB17");
        Codes("不知道!").ShouldContain("TB30");
        Codes("我不知道您说的是哪个型号").ShouldNotContain("TB30");
    }

    [Fact]
    public void AnOfferedAlternativeSoftensASoftenableRuleToL()
    {
        var hit = fixture.Engine.Screen("我不是这里负责的,不过我马上帮您转给负责的同事", Speaker.Agent).First(h => h.Code == "TB46");
        hit.Severity.ShouldBe("L");
        fixture.Engine.Screen("我不是这里负责的", Speaker.Agent).First(h => h.Code == "TB46").Severity.ShouldBe("H");
    }

    [Fact]
    public void SentenceFinalRulesNeedTheEndOfASentence()
    {
        Codes("这个要到柜台办的，你知道吗？").ShouldContain("TB43");
        Codes("你知道吗这个型号已经停产了").ShouldNotContain("TB43");
    }

    [Fact]
    public void RuleExceptionsSuppressKnownHarmlessContexts()
    {
        Codes("您的机器需要维修多久我马上帮您确认").ShouldBeEmpty();
        Codes("我们在48小时内一定安排，工程师马上就到").ShouldNotContain("TB55");
    }

    [Fact]
    public void SeveralRulesInOneTurnAreAllReportedInTextOrder()
    {
        const string text = "一定是**支行做错了,他们经常错,我这里查不到,你到柜台去。";
        var hits = fixture.Engine.Screen(text, Speaker.Agent, RuleKind.Taboo);
        hits.Select(h => h.Code).ShouldBe(["TB44", "TB44", "TB45", "TB62"]);
        hits.ShouldAllBe(h => text.Substring(h.Start, h.Length) == h.MatchedText);
    }
}
