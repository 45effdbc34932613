using System.Buffers;

namespace CallCenter.Telephony.Screening;

/// <summary>Edit distances allowed on pinyin keys, scaled to the literal's length so short phrases do not fire on everything.</summary>
public sealed record FuzzySettings(int MinLength = 4, int OneEditFrom = 5, int TwoEditsFrom = 8)
{
    public int MaxDistance(int length) => length >= TwoEditsFrom ? 2 : length >= OneEditFrom ? 1 : 0;
}

/// <summary>
/// The compiled rule set: an exact pass (<see cref="SearchValues{T}"/> over normalised text, then gaps), a pinyin-key
/// pass for homophones, and the context checks (quotes, negation frames, exceptions, standalone, sentence-final).
/// Immutable and thread-safe; build a new one when the rules change.
/// </summary>
public sealed class ScreeningEngine
{
    private readonly TextNormalizer _normalizer;
    private readonly FuzzySettings _fuzzy;
    private readonly CompiledRule[] _rules;
    private readonly SearchValues<string> _firstLiterals;
    private readonly Dictionary<char, List<(int Rule, int Core, string Literal)>> _byFirstChar = [];
    private readonly string[] _negationFrames;
    private readonly string[] _reportingFrames;
    private readonly string[] _alternatives;
    private readonly string _quoteOpen;
    private readonly string _quoteClose;

    public ScreeningEngine(TextNormalizer normalizer, Lexicon lexicon, IEnumerable<ScreeningRule> rules, FuzzySettings? fuzzy = null)
    {
        ArgumentNullException.ThrowIfNull(normalizer);
        ArgumentNullException.ThrowIfNull(lexicon);
        ArgumentNullException.ThrowIfNull(rules);
        _normalizer = normalizer;
        _fuzzy = fuzzy ?? new FuzzySettings();
        _rules = rules.Where(r => r.Enabled).Select(r => CompiledRule.Create(r, normalizer)).ToArray();
        for (var r = 0; r < _rules.Length; r++)
        {
            for (var c = 0; c < _rules[r].Cores.Length; c++)
            {
                foreach (var literal in _rules[r].Cores[c].Segments[0].Literals)
                {
                    if (!_byFirstChar.TryGetValue(literal[0], out var list))
                    {
                        _byFirstChar[literal[0]] = list = [];
                    }

                    list.Add((r, c, literal));
                }
            }
        }

        _firstLiterals = SearchValues.Create(_byFirstChar.Values.SelectMany(l => l.Select(e => e.Literal)).Distinct().ToArray(), StringComparison.Ordinal);
        _negationFrames = lexicon.NegationFrames.Select(normalizer.Fold).Where(f => f.Length > 0).ToArray();
        _reportingFrames = lexicon.ReportingFrames.Select(normalizer.Fold).Where(f => f.Length > 0).ToArray();
        _alternatives = lexicon.Alternatives.Select(normalizer.Fold).Where(f => f.Length > 0).ToArray();
        _quoteOpen = lexicon.QuoteOpen;
        _quoteClose = lexicon.QuoteClose;
    }

    public TextNormalizer Normalizer => _normalizer;

    public IReadOnlyList<ScreeningRule> Rules => _rules.Select(r => r.Rule).ToArray();

    public IReadOnlyList<ScreeningHit> Screen(string text, Speaker speaker, RuleKind? kind = null) =>
        Screen(_normalizer.Normalize(text), speaker, kind);

    /// <summary>Hits of the rules that apply to <paramref name="speaker"/> (agent rules never fire on customer text).</summary>
    public IReadOnlyList<ScreeningHit> Screen(NormalizedText text, Speaker speaker, RuleKind? kind = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        var found = new List<(int Rule, int Start, int End, MatchMode Mode, int Distance)>();
        ExactPass(text, speaker, kind, found);
        PinyinPass(text, speaker, kind, found);

        var hits = new List<ScreeningHit>();
        var kept = new List<(int Rule, int Start, int End, MatchMode Mode)>();
        foreach (var f in found.OrderBy(f => f.Mode == MatchMode.Pinyin ? 1 : 0).ThenBy(f => f.Distance).ThenBy(f => f.Start))
        {
            // A fuzzy hit is a fallback for recogniser errors: text an exact hit already explains (inside it, or
            // overlapping it with the same category) needs no second guess.
            if (kept.Exists(k => k.Start < f.End && f.Start < k.End && (k.Rule == f.Rule
                || (f.Mode == MatchMode.Pinyin && k.Mode != MatchMode.Pinyin
                    && ((k.Start <= f.Start && f.End <= k.End) || _rules[k.Rule].Rule.Category == _rules[f.Rule].Rule.Category)))))
            {
                continue;
            }

            var rule = _rules[f.Rule];
            if (!PassesContext(rule, text, f.Start, f.End, out var softened))
            {
                continue;
            }

            kept.Add((f.Rule, f.Start, f.End, f.Mode));
            var (start, length) = text.ToOriginal(f.Start, f.End);
            var confidence = f.Mode == MatchMode.Pinyin ? Math.Round(0.8 - (0.1 * f.Distance), 2) : f.Mode == MatchMode.Gap ? 0.95 : 1.0;
            var r = rule.Rule;
            hits.Add(new ScreeningHit(r.Id, r.Code, r.Version, r.Kind, r.Category, softened ? "L" : r.Severity,
                text.Original.Substring(start, length), start, length, f.Mode, confidence, r.Replacement, r.Source));
        }

        hits.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : string.CompareOrdinal(a.Code, b.Code));
        return hits;
    }

    private static bool Applies(CompiledRule rule, Speaker speaker, RuleKind? kind) =>
        (kind is null || rule.Rule.Kind == kind) &&
        (rule.Rule.Speaker == Speaker.Any || speaker == Speaker.Any || rule.Rule.Speaker == speaker);

    private void ExactPass(NormalizedText text, Speaker speaker, RuleKind? kind, List<(int, int, int, MatchMode, int)> found)
    {
        var span = text.Text.AsSpan();
        var pos = 0;
        while (pos < span.Length)
        {
            var rel = span[pos..].IndexOfAny(_firstLiterals);
            if (rel < 0)
            {
                break;
            }

            var p = pos + rel;
            foreach (var (r, c, literal) in _byFirstChar[span[p]])
            {
                if (!span[p..].StartsWith(literal, StringComparison.Ordinal) || !Applies(_rules[r], speaker, kind))
                {
                    continue;
                }

                var core = _rules[r].Cores[c];
                if (TryCompleteExact(span, core, p + literal.Length, 1, out var end))
                {
                    found.Add((r, p, end, core.HasGaps ? MatchMode.Gap : MatchMode.Exact, 0));
                }
            }

            pos = p + 1;
        }
    }

    private static bool TryCompleteExact(ReadOnlySpan<char> text, CorePattern core, int end, int segment, out int matchEnd)
    {
        matchEnd = end;
        if (segment == core.Segments.Count)
        {
            return true;
        }

        var seg = core.Segments[segment];
        for (var s = end + seg.GapMin; s <= Math.Min(text.Length - 1, end + seg.GapMax); s++)
        {
            foreach (var literal in seg.Literals)
            {
                if (text[s..].StartsWith(literal, StringComparison.Ordinal) && TryCompleteExact(text, core, s + literal.Length, segment + 1, out matchEnd))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private void PinyinPass(NormalizedText text, Speaker speaker, RuleKind? kind, List<(int, int, int, MatchMode, int)> found)
    {
        // Collapse doubled syllables (a recogniser stutter) on both sides; keep the map back to normalised positions.
        var keys = new List<ushort>(text.Keys.Length);
        var runStart = new List<int>(text.Keys.Length);
        var runEnd = new List<int>(text.Keys.Length);
        for (var i = 0; i < text.Keys.Length; i++)
        {
            if (keys.Count > 0 && keys[^1] == text.Keys[i])
            {
                runEnd[^1] = i + 1;
                continue;
            }

            keys.Add(text.Keys[i]);
            runStart.Add(i);
            runEnd.Add(i + 1);
        }

        if (keys.Count == 0)
        {
            return;
        }

        var present = new HashSet<ushort>(keys);
        var keySpan = System.Runtime.InteropServices.CollectionsMarshal.AsSpan(keys);
        var matches = new List<FuzzyMatcher.Match>();
        for (var r = 0; r < _rules.Length; r++)
        {
            var rule = _rules[r];
            if (!Applies(rule, speaker, kind))
            {
                continue;
            }

            for (var c = 0; c < rule.Cores.Length; c++)
            {
                if (rule.CoreKeys[c] is not { } segmentKeys || rule.Cores[c].MinLength < _fuzzy.MinLength)
                {
                    continue;
                }

                foreach (var (start, end, distance) in MatchSegments(keySpan, present, rule.Cores[c], segmentKeys, 0, 0, keySpan.Length - 1, matches))
                {
                    found.Add((r, runStart[start], runEnd[end - 1], MatchMode.Pinyin, distance));
                }
            }
        }
    }

    private List<(int Start, int End, int Distance)> MatchSegments(ReadOnlySpan<ushort> keys, HashSet<ushort> present, CorePattern core,
        ushort[][][] segmentKeys, int segment, int from, int startMax, List<FuzzyMatcher.Match> scratch)
    {
        var results = new List<(int, int, int)>();
        foreach (var literalKeys in segmentKeys[segment])
        {
            var k = core.HasGaps ? 0 : _fuzzy.MaxDistance(literalKeys.Length);
            var missing = 0;
            foreach (var key in literalKeys)
            {
                missing += present.Contains(key) ? 0 : 1;
            }

            if (missing > k)
            {
                continue; // cheap pre-filter: too many syllables absent from the utterance
            }

            scratch.Clear();
            var to = Math.Min(keys.Length, startMax + literalKeys.Length + k);
            FuzzyMatcher.Find(keys, from, startMax, to, literalKeys, k, scratch);
            foreach (var m in scratch)
            {
                if (segment + 1 == core.Segments.Count)
                {
                    results.Add((m.Start, m.End, m.Distance));
                    continue;
                }

                var next = core.Segments[segment + 1];
                var nextFrom = m.End + next.GapMin;
                if (nextFrom >= keys.Length)
                {
                    continue;
                }

                foreach (var (_, end, distance) in MatchSegments(keys, present, core, segmentKeys, segment + 1, nextFrom,
                    Math.Min(keys.Length - 1, m.End + next.GapMax), []))
                {
                    results.Add((m.Start, end, m.Distance + distance));
                    break;
                }
            }
        }

        return results;
    }

    private bool PassesContext(CompiledRule rule, NormalizedText text, int start, int end, out bool softened)
    {
        softened = false;
        var s = text.Text;
        foreach (var exception in rule.ExceptionPhrases)
        {
            if (s.Contains(exception, StringComparison.Ordinal))
            {
                return false;
            }
        }

        // Negated or reported uses right before the match: "我不会说不知道", "我们不能说这是公司规定".
        var before = s.AsSpan(0, start);
        foreach (var frame in _negationFrames)
        {
            if (before.EndsWith(frame, StringComparison.Ordinal))
            {
                return false;
            }
        }

        var clauseStart = start;
        while (clauseStart > 0 && !text.BreakBefore[clauseStart])
        {
            clauseStart--;
        }

        var clause = s.AsSpan(clauseStart, start - clauseStart);
        foreach (var frame in _reportingFrames)
        {
            if (clause.Contains(frame, StringComparison.Ordinal))
            {
                return false;
            }
        }

        if (IsQuoted(text, start))
        {
            return false;
        }

        if (rule.Standalone && !(text.BreakBefore[start] && text.BreakBefore[end]))
        {
            return false;
        }

        if (rule.SentenceFinal && !text.BreakBefore[end])
        {
            return false;
        }

        var alternativeFollows = false;
        foreach (var alternative in _alternatives)
        {
            alternativeFollows |= s.AsSpan(end).Contains(alternative, StringComparison.Ordinal);
        }

        if (rule.Standalone && alternativeFollows)
        {
            return false; // "不行,不过您可以…" offers an alternative (domain.md §1.5)
        }

        softened = rule.Softenable && alternativeFollows;
        return true;
    }

    private bool IsQuoted(NormalizedText text, int start)
    {
        var originalStart = text.OriginalStart[start];
        var depth = 0;
        var straight = 0;
        for (var i = 0; i < originalStart; i++)
        {
            var c = text.Original[i];
            if (c == '"' || c == '\'')
            {
                straight++;
            }
            else if (_quoteOpen.Contains(c, StringComparison.Ordinal))
            {
                depth++;
            }
            else if (_quoteClose.Contains(c, StringComparison.Ordinal))
            {
                depth = Math.Max(0, depth - 1);
            }
        }

        return depth > 0 || straight % 2 == 1;
    }
}
