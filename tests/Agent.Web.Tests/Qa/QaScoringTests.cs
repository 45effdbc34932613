using CallCenter.Agent.Web.Qa;

namespace CallCenter.Agent.Web.Tests.Qa;

public sealed class QaScoringTests
{
    // The seeded form's shape (0005): the no_taboo item is fatal.
    private static readonly QaFormItem[] Items =
    [
        new(1, "greeting", "问候", 10, false, null, "required:greeting", 1),
        new(2, "no_taboo", "无禁语", 25, true, null, "taboo", 2),
        new(3, "closing", "结束语", 10, false, null, "required:closing", 3),
        new(4, "rest", "其他", 55, false, null, null, 4),
    ];

    private static decimal TotalOf(decimal greeting, decimal taboo, decimal closing, decimal rest) => QaScoring.Total(Items,
        [new(1, greeting, null, null), new(2, taboo, null, null), new(3, closing, null, null), new(4, rest, null, null)]);

    [Theory]
    [InlineData(100, "excellent")]
    [InlineData(90, "excellent")]
    [InlineData(89.9, "good")]
    [InlineData(80, "good")]
    [InlineData(79.9, "fair")]
    [InlineData(65, "fair")]
    [InlineData(64.9, "fail")]
    [InlineData(0, "fail")]
    public void GradeBandsFollowTheSeedEdges(decimal total, string grade) => QaScoring.Grade(total).ShouldBe(grade);

    [Fact]
    public void TheTotalIsTheSumOfTheItemScoresToOneDecimal()
    {
        TotalOf(10, 25, 10, 44.9m).ShouldBe(89.9m);
        QaScoring.Grade(TotalOf(10, 25, 10, 44.9m)).ShouldBe(QaScoring.Good);
        TotalOf(10, 25, 10, 45).ShouldBe(90m);
    }

    [Fact]
    public void AFatalItemScoredZeroZeroesTheWholeCall() => TotalOf(10, 0, 10, 55).ShouldBe(0m);

    [Fact]
    public void AScoreAboveTheItemWeightIsRefused() => Should.Throw<ArgumentException>(() => TotalOf(11, 25, 10, 55));

    [Fact]
    public void AnHTabooHitPrefillsTheFatalItemWithZero() =>
        QaScoring.Prefill(Items[1], ["M", "H"], new Dictionary<string, bool>()).ShouldBe(0m);

    [Fact]
    public void MAndLHitsCostPointsButAreNotFatal() =>
        QaScoring.Prefill(Items[1], ["M", "L"], new Dictionary<string, bool>()).ShouldBe(18m);

    [Fact]
    public void NoHitsPrefillFullMarksForNoTaboo() =>
        QaScoring.Prefill(Items[1], [], new Dictionary<string, bool>()).ShouldBe(25m);

    [Fact]
    public void AMissingGreetingOrClosingPrefillsZeroAndAPassedOneFullMarks()
    {
        var required = new Dictionary<string, bool> { ["greeting"] = false, ["closing"] = true };
        QaScoring.Prefill(Items[0], [], required).ShouldBe(0m);
        QaScoring.Prefill(Items[2], [], required).ShouldBe(10m);
    }

    [Fact]
    public void ItemsWithoutAScreeningSourceOrResultAreNotPrefilled()
    {
        QaScoring.Prefill(Items[3], ["H"], new Dictionary<string, bool>()).ShouldBeNull();
        QaScoring.Prefill(Items[0], [], new Dictionary<string, bool>()).ShouldBeNull();
    }
}
