using System.Diagnostics.Metrics;
using CallCenter.Callbacks.Execution;

namespace CallCenter.Callbacks;

/// <summary>Meter "CallCenter.Callbacks": dials, skips by reason, outcomes, unknowns and the due-to-claim delay.</summary>
public sealed class CallbacksMetrics
{
    public const string MeterName = "CallCenter.Callbacks";
    private readonly Counter<long> _dialed;
    private readonly Counter<long> _skipped;
    private readonly Counter<long> _outcomes;
    private readonly Counter<long> _unknown;
    private readonly Histogram<double> _dueToClaim;

    public CallbacksMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        _dialed = meter.CreateCounter<long>("callcenter.callbacks.dialed", description: "Attempts handed to the dialer");
        _skipped = meter.CreateCounter<long>("callcenter.callbacks.skipped", description: "Attempts ended by a dial-time check");
        _outcomes = meter.CreateCounter<long>("callcenter.callbacks.outcomes", description: "Recorded attempt outcomes");
        _unknown = meter.CreateCounter<long>("callcenter.callbacks.unknown", description: "Attempts flagged with an unknown outcome");
        _dueToClaim = meter.CreateHistogram<double>("callcenter.callbacks.due_to_claim", unit: "s", description: "Delay from an attempt's due time to its claim");
    }

    public void Dialed(string kind) => _dialed.Add(1, new KeyValuePair<string, object?>("kind", kind));

    public void Skipped(string kind, string reason) =>
        _skipped.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("reason", reason));

    public void Outcome(string kind, string outcome) =>
        _outcomes.Add(1, new KeyValuePair<string, object?>("kind", kind), new KeyValuePair<string, object?>("outcome", outcome));

    public void Unknown() => _unknown.Add(1);

    public void DueToClaim(ClaimedAttempt attempt)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        _dueToClaim.Record(Math.Max(0, (attempt.ClaimedAt - attempt.NotBefore).TotalSeconds));
    }
}
