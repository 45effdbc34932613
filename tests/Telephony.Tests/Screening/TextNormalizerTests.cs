using CallCenter.Telephony.Screening;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>Normalisation (domain.md §1.2) and the map back to the text the user saw.</summary>
[Collection(ScreeningGroup.Name)]
public sealed class TextNormalizerTests(ScreeningFixture fixture)
{
    private TextNormalizer Normalizer => fixture.Catalog.Normalizer;

    [Theory]
    [InlineData("這是廠家的事，我管不了。", "这是厂家的事我管不了")]
    [InlineData("ＣＶＶ是１２３", "cvv是123")]
    [InlineData("嗯，这个，啊，公司的那个规定", "这个公司的规定")]
    [InlineData("  一分钱 ， 一分货！！", "一分钱一分货")]
    [InlineData("呃……我也没办法了", "我也没办法了")]
    public void TextIsFoldedForMatching(string original, string expected) =>
        Normalizer.Normalize(original).Text.ShouldBe(expected);

    [Fact]
    public void EveryKeptCharacterMapsBackToWhereItCameFrom()
    {
        const string original = "嗯，這是 廠家的事";
        var n = Normalizer.Normalize(original);
        n.Text.ShouldBe("这是厂家的事");
        var (start, length) = n.ToOriginal(2, 6);
        original.Substring(start, length).ShouldBe("廠家的事");
        n.BreakBefore[0].ShouldBeTrue();
        n.BreakBefore[2].ShouldBeTrue(); // the space before 廠 is a clause break
        n.BreakBefore[3].ShouldBeFalse();
        n.BreakBefore[n.Text.Length].ShouldBeTrue();
    }

    [Fact]
    public void AFillerInsideAPhraseMapsTheMatchOverTheFiller()
    {
        const string original = "这是，嗯，厂家的事";
        var hit = fixture.Engine.Screen(original, Speaker.Agent).First(h => h.Code == "TB01");
        hit.MatchedText.ShouldBe("厂家的事");
        var gapHit = fixture.Engine.Screen("公司的，那个，规定就是这样", Speaker.Agent).First(h => h.Code == "TB12");
        gapHit.MatchedText.ShouldBe("公司的，那个，规定");
    }

    [Theory]
    [InlineData('厂', '场')]
    [InlineData('分', '份')]
    [InlineData('是', '事')]
    [InlineData('知', '之')]
    [InlineData('找', '早')]   // zh / z
    [InlineData('吃', '次')]   // ch / c
    [InlineData('老', '脑')]   // l / n
    [InlineData('饭', '汉')]   // f / h
    [InlineData('张', '簪')]   // zh+ang / z+an
    [InlineData('冷', '嫩')]   // l+eng / n+en
    [InlineData('应', '因')]   // ing / in
    public void HomophonesAndUsualConfusionsShareAPinyinKey(char a, char b) =>
        fixture.Catalog.Tables.PinyinKey(a).ShouldBe(fixture.Catalog.Tables.PinyinKey(b));

    [Fact]
    public void DifferentSyllablesKeepDifferentKeys()
    {
        var tables = fixture.Catalog.Tables;
        tables.PinyinKey('太').ShouldNotBe(tables.PinyinKey('很'));
        tables.PinyinKey('一').ShouldNotBe(tables.PinyinKey('二'));
    }

    [Fact]
    public void APolyphoneOverrideGivesTheWordReading()
    {
        // 便 alone reads biàn; in 便宜 it is pián, which is what a recogniser hears as 偏宜.
        var keys = Normalizer.Keys("便宜");
        keys[0].ShouldBe(fixture.Catalog.Tables.PinyinKey('偏'));
        Normalizer.Keys("方便")[1].ShouldBe(fixture.Catalog.Tables.PinyinKey('变'));
        fixture.Engine.Screen("想买偏宜点的就看这种", Speaker.Agent).Select(h => h.Code).ShouldContain("TB84");
    }
}
