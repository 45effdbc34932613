namespace CallCenter.Telephony.Screening;

/// <summary>Outcome of a required-phrase check for one call (feeds <c>required_phrase_results</c> and QA).</summary>
public sealed record RequiredCheckResult(string Check, bool Passed, int? UtteranceIndex, string? RuleCode);

/// <summary>The escalation a call has reached from customer-side cues (domain.md §4, §5); S1 is the most urgent.</summary>
public sealed record EscalationResult(string Level, IReadOnlyList<ScreeningHit> Cues, bool RepeatedAnger);

/// <summary>What one utterance raised: taboo hits (agent) or cues (customer), and a new escalation when the level rose.</summary>
public sealed record UtteranceResult(int Index, Speaker Speaker, IReadOnlyList<ScreeningHit> Hits, EscalationResult? Escalated);

/// <summary>
/// Per-call accumulator, fed utterance by utterance in order: screens agent text for taboo phrases (an H hit is an S2
/// escalation), customer text for escalation cues (repeated anger words raise the level), and tracks the required phrases: greeting in the agent's
/// first utterance, the customer's need identified, and a closing phrase in the agent's last utterances.
/// Not thread-safe: one call's utterances arrive in order from one consumer.
/// </summary>
public sealed class CallScreeningSession(ScreeningEngine engine, Lexicon lexicon, int closingWindow = 2)
{
    private readonly List<ScreeningHit> _cues = [];
    private readonly List<(int Index, IReadOnlyList<ScreeningHit> Required)> _agentTurns = [];
    private int _utterances;
    private int _angerCount;
    private EscalationResult? _escalation;

    public EscalationResult? Escalation => _escalation;

    public UtteranceResult Add(Speaker speaker, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (speaker == Speaker.Any)
        {
            throw new ArgumentException("an utterance belongs to the agent or the customer", nameof(speaker));
        }

        var index = _utterances++;
        var normalized = engine.Normalizer.Normalize(text);
        IReadOnlyList<ScreeningHit> hits;
        if (speaker == Speaker.Agent)
        {
            _agentTurns.Add((index, engine.Screen(normalized, Speaker.Agent, RuleKind.Required)));
            hits = engine.Screen(normalized, Speaker.Agent, RuleKind.Taboo);
            // domain.md §4: an agent H taboo is an S2 event for the call (lexicon.json agentTabooEscalation).
            var severe = hits.Where(h => h.Severity == lexicon.AgentTabooEscalation.Severity).ToList();
            if (severe.Count == 0)
            {
                return new UtteranceResult(index, speaker, hits, null);
            }

            _cues.AddRange(severe);
        }
        else
        {
            hits = engine.Screen(normalized, Speaker.Customer, RuleKind.CustomerCue);
            _cues.AddRange(hits);
            _angerCount += hits.Count(c => c.Category is not null && lexicon.Anger.Categories.Contains(c.Category));
        }

        var before = _escalation?.Level;
        var repeatedAnger = _angerCount >= lexicon.Anger.RepeatThreshold;
        var level = _cues.Select(c => c.Kind == RuleKind.Taboo ? lexicon.AgentTabooEscalation.EscalateTo : c.Severity).Append(repeatedAnger ? lexicon.Anger.EscalateTo : null)
            .Where(s => s is not null).Select(s => s!).DefaultIfEmpty(string.Empty).Min(StringComparer.Ordinal);
        if (string.IsNullOrEmpty(level))
        {
            return new UtteranceResult(index, speaker, hits, null);
        }

        _escalation = new EscalationResult(level, _cues.ToList(), repeatedAnger);
        var rose = before is null || string.CompareOrdinal(level, before) < 0;
        return new UtteranceResult(index, speaker, hits, rose ? _escalation : null);
    }

    /// <summary>Required-phrase results after hang-up (greeting, need, closing).</summary>
    public IReadOnlyList<RequiredCheckResult> RequiredResults()
    {
        var results = new List<RequiredCheckResult>();
        var first = _agentTurns.Count > 0 ? _agentTurns[0] : default;
        var greeting = first.Required?.FirstOrDefault(h => h.Category == "greeting");
        results.Add(new RequiredCheckResult("greeting", greeting is not null, greeting is null ? null : first.Index, greeting?.Code));

        var need = _agentTurns.SelectMany(t => t.Required.Where(h => h.Category == "need").Select(h => (t.Index, h.Code))).FirstOrDefault();
        results.Add(new RequiredCheckResult("need", need.Code is not null, need.Code is null ? null : need.Index, need.Code));

        var closing = _agentTurns.TakeLast(closingWindow)
            .SelectMany(t => t.Required.Where(h => h.Category == "closing").Select(h => (t.Index, h.Code))).FirstOrDefault();
        results.Add(new RequiredCheckResult("closing", closing.Code is not null, closing.Code is null ? null : closing.Index, closing.Code));
        return results;
    }
}
