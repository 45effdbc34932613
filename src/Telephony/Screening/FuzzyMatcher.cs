namespace CallCenter.Telephony.Screening;

/// <summary>
/// Approximate substring search over pinyin keys (Sellers' dynamic programme with a free start in the text).
/// Homophones already share a key, so the budget is for dropped or inserted syllables only: a substitution of a
/// different syllable costs 2.
/// </summary>
internal static class FuzzyMatcher
{
    public readonly record struct Match(int Start, int End, int Distance);

    /// <summary>Best non-overlapping matches of <paramref name="pattern"/> starting in [from, startMax] and ending by <paramref name="to"/>.</summary>
    public static void Find(ReadOnlySpan<ushort> text, int from, int startMax, int to, ReadOnlySpan<ushort> pattern, int maxDistance, List<Match> results)
    {
        var m = pattern.Length;
        if (m == 0 || from >= to)
        {
            return;
        }

        // Column-wise DP: cost[i] = distance of pattern[..i] ending at the current text position, start[i] its start.
        Span<int> cost = stackalloc int[m + 1];
        Span<int> start = stackalloc int[m + 1];
        Span<int> prevCost = stackalloc int[m + 1];
        Span<int> prevStart = stackalloc int[m + 1];
        for (var i = 0; i <= m; i++)
        {
            prevCost[i] = i;
            prevStart[i] = from;
        }

        var found = new List<Match>();
        for (var j = from; j < to; j++)
        {
            cost[0] = 0;
            start[0] = j + 1;
            for (var i = 1; i <= m; i++)
            {
                var sub = prevCost[i - 1] + (pattern[i - 1] == text[j] ? 0 : 2); // another syllable is not a homophone: costs a drop plus an insertion
                var subStart = prevStart[i - 1];
                if (i == 1)
                {
                    subStart = j; // the match starts at this text position
                }

                var del = cost[i - 1] + 1;   // pattern character missing from the text
                var ins = prevCost[i] + 1;   // extra character in the text
                if (sub <= del && sub <= ins)
                {
                    cost[i] = sub;
                    start[i] = subStart;
                }
                else if (ins <= del)
                {
                    cost[i] = ins;
                    start[i] = prevStart[i];
                }
                else
                {
                    cost[i] = del;
                    start[i] = start[i - 1];
                }
            }

            if (cost[m] <= maxDistance && start[m] <= startMax && start[m] >= from && j + 1 - start[m] > 0)
            {
                found.Add(new Match(start[m], j + 1, cost[m]));
            }

            cost.CopyTo(prevCost);
            start.CopyTo(prevStart);
        }

        // Keep the best match per overlapping cluster: lowest distance, then the longest (covers doubled characters).
        foreach (var candidate in found.OrderBy(f => f.Distance).ThenByDescending(f => f.End - f.Start).ThenBy(f => f.Start))
        {
            if (!results.Exists(r => r.Start < candidate.End && candidate.Start < r.End))
            {
                results.Add(candidate);
            }
        }
    }
}
