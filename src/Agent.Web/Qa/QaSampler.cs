namespace CallCenter.Agent.Web.Qa;

/// <summary>A sampling plan (qa_sampling_plans).</summary>
public sealed record QaPlan(int Id, string Name, string Period, int SamplesPerAgent, int NewAgentWeeks,
    decimal NewAgentMultiplier, int MinCallSeconds, bool IncludeFlagged, bool StratifyByLine);

/// <summary>A finished call that may be sampled; Flagged = an H taboo hit or an S1/S2 customer cue (escalation).</summary>
public sealed record QaCandidate(Guid CallId, int AgentId, int? LineId, int DurationSeconds, bool Flagged);

public sealed record QaPick(Guid CallId, int AgentId, string Stratum, int? ReviewerId);

/// <summary>
/// Picks the calls of one period. Pure and deterministic: the same plan, period, seed and calls give the same
/// picks whatever order the calls arrive in. Each agent draws from their own generator (seed mixed with the
/// agent id), so one agent's calls never change another agent's sample.
/// </summary>
public static class QaSampler
{
    public static DateOnly PeriodEnd(QaPlan plan, DateOnly start) => plan.Period switch
    {
        "day" => start.AddDays(1),
        "month" => start.AddMonths(1),
        _ => start.AddDays(7),
    };

    public static bool IsNewAgent(QaPlan plan, DateOnly? hiredOn, DateOnly periodStart) =>
        hiredOn is { } h && h > periodStart.AddDays(-7 * plan.NewAgentWeeks);

    public static int Quota(QaPlan plan, bool newAgent) =>
        newAgent ? (int)Math.Ceiling(plan.SamplesPerAgent * plan.NewAgentMultiplier) : plan.SamplesPerAgent;

    public static IReadOnlyList<QaPick> Sample(QaPlan plan, DateOnly periodStart, long seed,
        IEnumerable<QaCandidate> candidates, IReadOnlyDictionary<int, DateOnly?> hiredOn, IReadOnlyList<int> reviewers)
    {
        var picks = new List<(QaCandidate Call, string Stratum)>();
        foreach (var agent in candidates.GroupBy(c => c.AgentId).OrderBy(g => g.Key))
        {
            var calls = agent.OrderBy(c => c.CallId).ToList();
            // Flagged calls are always reviewed, short or not: a 10-second call can still carry an H phrase.
            var flagged = plan.IncludeFlagged ? calls.Where(c => c.Flagged).ToList() : [];
            picks.AddRange(flagged.Select(c => (c, "flagged")));

            var isNew = IsNewAgent(plan, hiredOn.GetValueOrDefault(agent.Key), periodStart);
            var quota = Quota(plan, isNew);
            var rng = new SplitMix64(seed ^ ((long)agent.Key * unchecked((long)0x9E3779B97F4A7C15)));
            var strata = calls.Where(c => !flagged.Contains(c) && c.DurationSeconds >= plan.MinCallSeconds)
                .GroupBy(c => plan.StratifyByLine ? c.LineId ?? 0 : 0)
                .OrderBy(g => g.Key)
                .Select(g => new Queue<QaCandidate>(Shuffle(g.ToList(), rng)))
                .ToList();
            // Round-robin over the lines so each line the agent served is represented before any gets a second pick.
            var taken = 0;
            while (taken < quota && strata.Any(q => q.Count > 0))
            {
                foreach (var line in strata.Where(q => q.Count > 0))
                {
                    if (taken == quota)
                    {
                        break;
                    }

                    var call = line.Dequeue();
                    var label = plan.StratifyByLine ? (call.LineId?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none") : "all";
                    picks.Add((call, (isNew ? "new_agent:" : "random:") + label));
                    taken++;
                }
            }
        }

        return AssignReviewers(picks, reviewers);
    }

    /// <summary>
    /// Least-loaded reviewer first (ties: lowest id), never the agent themself; null when nobody else exists.
    /// Calls of agents who are reviewers too have fewer choices, so they are placed first to keep loads even.
    /// </summary>
    private static List<QaPick> AssignReviewers(List<(QaCandidate Call, string Stratum)> picks, IReadOnlyList<int> reviewers)
    {
        var load = reviewers.Distinct().ToDictionary(r => r, _ => 0);
        var assigned = new int?[picks.Count];
        var order = Enumerable.Range(0, picks.Count).OrderBy(i => load.ContainsKey(picks[i].Call.AgentId) ? 0 : 1).ThenBy(i => i);
        foreach (var i in order)
        {
            var agent = picks[i].Call.AgentId;
            int? reviewer = load.Keys.Where(r => r != agent).OrderBy(r => load[r]).ThenBy(r => r)
                .Select(r => (int?)r).FirstOrDefault();
            if (reviewer is { } r)
            {
                load[r]++;
            }

            assigned[i] = reviewer;
        }

        return picks.Select((p, i) => new QaPick(p.Call.CallId, p.Call.AgentId, p.Stratum, assigned[i])).ToList();
    }

    private static List<T> Shuffle<T>(List<T> items, SplitMix64 rng)
    {
        for (var i = items.Count - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (items[i], items[j]) = (items[j], items[i]);
        }

        return items;
    }

    /// <summary>SplitMix64: fixed and documented, so a stored seed reproduces its sample on any runtime version.</summary>
    private sealed class SplitMix64(long seed)
    {
        private ulong _state = unchecked((ulong)seed);

        public int Next(int maxExclusive)
        {
            _state = unchecked(_state + 0x9E3779B97F4A7C15);
            var z = _state;
            z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9);
            z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EB);
            z ^= z >> 31;
            return (int)(z % (ulong)maxExclusive);
        }
    }
}
