using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Screening;

/// <summary>
/// The running screening engine: built from the files at start, replaced by one over the database rows once they are
/// synced and loaded, and again on every reload. Callers always get a complete engine (the swap is one reference).
/// </summary>
public sealed class ScreeningService
{
    private readonly Counter<long> _hits;
    private readonly Histogram<double> _duration;
    private volatile ScreeningEngine _engine;

    public ScreeningService(ScreeningCatalog catalog, IOptions<ScreeningOptions> options, IMeterFactory meters, TimeProvider time)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(meters);
        Catalog = catalog;
        Options = options.Value;
        _engine = catalog.CreateEngine();
        var meter = meters.Create("CallCenter.Telephony");
        _hits = meter.CreateCounter<long>("callcenter.screening.hits", description: "Screening hits by kind and severity");
        _duration = meter.CreateHistogram<double>("callcenter.screening.duration", unit: "ms", description: "Time to screen one utterance");
        Redactor = new Redactor(catalog.Lexicon, Options.Redaction);
        Promises = new PromiseExtractor(() => _engine, catalog.Lexicon, time);
    }

    public ScreeningCatalog Catalog { get; }

    public ScreeningOptions Options { get; }

    public ScreeningEngine Engine => _engine;

    public Redactor Redactor { get; }

    public PromiseExtractor Promises { get; }

    /// <summary>"files" until the database rules are loaded, then "database".</summary>
    public string RuleSource { get; private set; } = "files";

    public void Replace(IReadOnlyList<ScreeningRule> rules, string source)
    {
        _engine = Catalog.CreateEngine(rules);
        RuleSource = source;
    }

    public CallScreeningSession NewCall() => new(_engine, Catalog.Lexicon);

    public IReadOnlyList<ScreeningHit> Screen(string text, Speaker speaker, RuleKind? kind = null)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var hits = _engine.Screen(text, speaker, kind);
        _duration.Record(System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        foreach (var hit in hits)
        {
            _hits.Add(1, new KeyValuePair<string, object?>("kind", ScreeningRule.KindText(hit.Kind)), new KeyValuePair<string, object?>("severity", hit.Severity));
        }

        return hits;
    }
}
