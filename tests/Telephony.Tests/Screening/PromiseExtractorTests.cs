using CallCenter.Telephony.Screening;

namespace CallCenter.Telephony.Tests.Screening;

/// <summary>reliability.md D-4: exactly one callback per spoken promise, due at the stated time (Asia/Shanghai).</summary>
[Collection(ScreeningGroup.Name)]
public sealed class PromiseExtractorTests(ScreeningFixture fixture)
{
    // Wednesday 25 November 2026, 10:20 in Beijing.
    private static readonly DateTimeOffset SpokenAt = new(2026, 11, 25, 10, 20, 0, TimeSpan.FromHours(8));

    private PromiseExtractor Extractor(DateTimeOffset? now = null) =>
        new(() => fixture.Engine, fixture.Catalog.Lexicon, new FixedTimeProvider(now ?? SpokenAt));

    [Theory]
    [InlineData("10分钟后我再给您打个电话", "2026-11-25 10:30")]
    [InlineData("如果方便的话,能否把您联系电话留给我,10分钟后我再给您打个电话,看看问题是否解决。", "2026-11-25 10:30")]
    [InlineData("暂时没有查到您的记录,我记下您的电话,下午三点前给您回复", "2026-11-25 15:00")]
    [InlineData("明天上午给您答复", "2026-11-26 12:00")]
    [InlineData("半小时内给您回电", "2026-11-25 10:50")]
    [InlineData("一个半小时后给您回电话", "2026-11-25 11:50")]
    [InlineData("今天下午给您回复", "2026-11-25 18:00")]
    [InlineData("周一给您答复", "2026-11-30 18:00")]
    [InlineData("下周三上午十点半给您回电", "2026-12-02 10:30")]
    [InlineData("两天内给您答复", "2026-11-27 10:20")]
    [InlineData("三个工作日内给您答复", "2026-11-30 10:20")]
    [InlineData("明天下午两点给您打电话", "2026-11-26 14:00")]
    [InlineData("我不是这里负责的,不过我马上帮您转给负责的同事,30分钟内给您回电", "2026-11-25 10:50")]
    [InlineData("二十分钟后我给您回个电话", "2026-11-25 10:40")]
    [InlineData("机器修好后我立即通知您,大概后天下午", "2026-11-27 18:00")]
    public void APromiseGivesExactlyOneCallbackDueAtTheStatedTime(string text, string due)
    {
        var promises = Extractor().Extract(text, SpokenAt);
        promises.Count.ShouldBe(1);
        promises[0].DueAt.ToString("yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture).ShouldBe(due);
        promises[0].DueAt.Offset.ShouldBe(TimeSpan.FromHours(8));
    }

    [Theory]
    [InlineData("我马上帮您查一下")]
    [InlineData("我会尽快给您回复")]
    [InlineData("您的退款会在三个工作日内到账")]
    [InlineData("今天才是第一天,还请您稍等片刻。")]
    [InlineData("您快一点给我回电话")]
    public void ASentenceWithoutAPromiseAndATimeGivesNoCallback(string text) =>
        Extractor().Extract(text, SpokenAt).ShouldBeEmpty();

    [Fact]
    public void TwoPromisesInTwoSentencesGiveTwoCallbacks()
    {
        var promises = Extractor().Extract("10分钟后给您回电。明天上午再给您答复。", SpokenAt);
        promises.Select(p => p.DueAt.Hour).ShouldBe([10, 12]);
        promises[1].DueAt.Day.ShouldBe(26);
    }

    [Fact]
    public void AnAfternoonDeadlineAlreadyPastMeansTomorrow()
    {
        var late = new DateTimeOffset(2026, 11, 25, 16, 0, 0, TimeSpan.FromHours(8));
        Extractor().Extract("下午三点前给您回复", late).ShouldHaveSingleItem().DueAt.ShouldBe(new DateTimeOffset(2026, 11, 26, 15, 0, 0, TimeSpan.FromHours(8)));
    }

    [Fact]
    public void WithoutAnInstantTheTimeProviderGivesNowInTheHotlineZone()
    {
        var utc = new DateTimeOffset(2026, 11, 25, 2, 20, 0, TimeSpan.Zero); // 10:20 in Beijing
        var promise = Extractor(utc).Extract("10分钟后我再给您打个电话").ShouldHaveSingleItem();
        promise.DueAt.ShouldBe(new DateTimeOffset(2026, 11, 25, 10, 30, 0, TimeSpan.FromHours(8)));
        promise.Code.ShouldBe("PR01");
        promise.TimeText.ShouldBe("10分钟后");
    }

    [Theory]
    [InlineData("十五", 15)]
    [InlineData("二十", 20)]
    [InlineData("两", 2)]
    [InlineData("三十五", 35)]
    [InlineData("一百二十", 120)]
    [InlineData("10", 10)]
    [InlineData("１２", 12)]
    public void ChineseNumeralsParse(string text, int value)
    {
        ChineseNumerals.TryParse(text, out var parsed).ShouldBeTrue();
        parsed.ShouldBe(value);
    }
}
