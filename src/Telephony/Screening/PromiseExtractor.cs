namespace CallCenter.Telephony.Screening;

/// <summary>A promise an agent made: the promise rule, the time expression and the moment the callback is due.</summary>
public sealed record Promise(string Code, string? Category, string Sentence, int Start, int Length, string TimeText, DateTimeOffset DueAt);

/// <summary>
/// Finds spoken promises ("10分钟后我再给您打个电话", "明天上午给您答复"): a sentence with a promise phrase
/// (Rules/promises.json) and a time expression gives exactly one promise, due at the stated time (reliability.md D-4).
/// </summary>
public sealed class PromiseExtractor
{
    private static readonly char[] SentenceEnds = ['。', '！', '？', '!', '?', '；', ';', '\n'];
    private readonly Func<ScreeningEngine> _engine;
    private readonly ChineseTimeParser _parser;
    private readonly TimeProvider _time;
    private readonly TimeZoneInfo _zone;

    public PromiseExtractor(Func<ScreeningEngine> engine, Lexicon lexicon, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(lexicon);
        _engine = engine;
        _time = time;
        _parser = new ChineseTimeParser(lexicon.PromiseTime);
        _zone = CentreTime.TryZone(lexicon.PromiseTime.TimeZone, out var zone) ? zone
            : throw new FormatException($"lexicon.json promiseTime.timeZone '{lexicon.PromiseTime.TimeZone}' is not known on this host");
    }

    /// <summary>Promises in an agent utterance spoken now (by the <see cref="TimeProvider"/>).</summary>
    public IReadOnlyList<Promise> Extract(string text) => Extract(text, _time.GetUtcNow());

    /// <summary>Promises in an agent utterance spoken at <paramref name="spokenAt"/>; due times are in the hotline's time zone.</summary>
    public IReadOnlyList<Promise> Extract(string text, DateTimeOffset spokenAt)
    {
        ArgumentNullException.ThrowIfNull(text);
        var now = TimeZoneInfo.ConvertTime(spokenAt, _zone);
        var promises = new List<Promise>();
        var engine = _engine();
        var start = 0;
        while (start < text.Length)
        {
            var end = text.IndexOfAny(SentenceEnds, start);
            end = end < 0 ? text.Length : end + 1;
            var sentence = text[start..end];
            var hits = engine.Screen(sentence, Speaker.Agent, RuleKind.Promise);
            var hit = hits.Count > 0 ? hits[0] : null;
            if (hit is not null)
            {
                var times = _parser.Parse(sentence, now);
                // The time said before the promise phrase ("明天上午给您答复"), else the one after it.
                var time = times.LastOrDefault(t => t.Start < hit.Start) ?? (times.Count > 0 ? times[0] : null);
                if (time is not null)
                {
                    promises.Add(new Promise(hit.Code, hit.Category, sentence.Trim(), start, end - start, time.Text, time.At));
                }
            }

            start = end;
        }

        return promises;
    }
}
