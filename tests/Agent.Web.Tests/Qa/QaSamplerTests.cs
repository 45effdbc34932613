using CallCenter.Agent.Web.Qa;

namespace CallCenter.Agent.Web.Tests.Qa;

public sealed class QaSamplerTests
{
    private static readonly DateOnly Monday = new(2026, 11, 16);

    private static readonly QaPlan Plan = new(1, "每周抽检", "week", SamplesPerAgent: 3, NewAgentWeeks: 4,
        NewAgentMultiplier: 2, MinCallSeconds: 30, IncludeFlagged: true, StratifyByLine: true);

    private static readonly Dictionary<int, DateOnly?> Hired = new()
    {
        [1] = Monday.AddDays(-400), [2] = Monday.AddDays(-300), [3] = Monday.AddDays(-10), [10] = Monday.AddDays(-700), [11] = Monday.AddDays(-700),
    };

    /// <summary>40 calls per agent over two lines, every 7th flagged, every 5th too short; ids fixed by index.</summary>
    private static List<QaCandidate> Calls(params int[] agents) =>
        agents.SelectMany(a => Enumerable.Range(0, 40).Select(i => new QaCandidate(
            new Guid(a, 0, 0, new byte[] { 0, 0, 0, 0, 0, 0, 0, (byte)i }), a, 1 + i % 2,
            i % 5 == 0 ? 10 : 120, Flagged: i % 7 == 3))).ToList();

    [Fact]
    public void TheSameSeedGivesTheSameCallsWhateverTheInputOrder()
    {
        var calls = Calls(1, 2, 3);
        var first = QaSampler.Sample(Plan, Monday, 42, calls, Hired, [10, 11]);
        var again = QaSampler.Sample(Plan, Monday, 42, Enumerable.Reverse(calls).ToList(), Hired, [11, 10]);
        again.ShouldBe(first);
        var other = QaSampler.Sample(Plan, Monday, 43, calls, Hired, [10, 11]);
        other.Select(p => p.CallId).ShouldNotBe(first.Select(p => p.CallId));
    }

    [Fact]
    public void EveryFlaggedCallIsInEvenWhenShort()
    {
        var calls = Calls(1, 2);
        var picks = QaSampler.Sample(Plan, Monday, 7, calls, Hired, [10]);
        foreach (var flagged in calls.Where(c => c.Flagged))
        {
            picks.ShouldContain(p => p.CallId == flagged.CallId && p.Stratum == "flagged");
        }
    }

    [Fact]
    public void TooShortCallsAreNeverDrawnAtRandom()
    {
        var calls = Calls(1, 2, 3);
        var picks = QaSampler.Sample(Plan, Monday, 9, calls, Hired, [10]);
        var random = picks.Where(p => p.Stratum != "flagged").Select(p => calls.Single(c => c.CallId == p.CallId));
        random.ShouldAllBe(c => c.DurationSeconds >= Plan.MinCallSeconds);
    }

    [Fact]
    public void NewAgentsGetTheMultipliedQuotaAndOthersTheQuotaStratifiedByLine()
    {
        var picks = QaSampler.Sample(Plan, Monday, 5, Calls(1, 3), Hired, [10]);
        var veteran = picks.Where(p => p.AgentId == 1 && p.Stratum != "flagged").ToList();
        veteran.Count.ShouldBe(3);
        veteran.Select(p => p.Stratum).Distinct().Count().ShouldBe(2); // both lines represented
        picks.Count(p => p.AgentId == 3 && p.Stratum.StartsWith("new_agent:", StringComparison.Ordinal)).ShouldBe(6);
    }

    [Fact]
    public void TheReviewerIsNeverTheAgentAndTheWorkIsBalanced()
    {
        // Agent 10 is also a QA reviewer: their own calls must go to someone else.
        var hired = new Dictionary<int, DateOnly?>(Hired);
        var picks = QaSampler.Sample(Plan, Monday, 11, Calls(1, 2, 10), hired, [10, 11, 12]);
        picks.ShouldAllBe(p => p.ReviewerId != p.AgentId);
        picks.ShouldAllBe(p => p.ReviewerId != null);
        var load = picks.GroupBy(p => p.ReviewerId).Select(g => g.Count()).ToList();
        (load.Max() - load.Min()).ShouldBeLessThanOrEqualTo(1);
    }

    [Fact]
    public void WithNoOtherReviewerTheSampleStaysUnassigned()
    {
        var picks = QaSampler.Sample(Plan, Monday, 1, Calls(10), Hired, [10]);
        picks.ShouldNotBeEmpty();
        picks.ShouldAllBe(p => p.ReviewerId == null);
    }
}
