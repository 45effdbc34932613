using System.Diagnostics.Metrics;
using CallCenter.Telephony.Calls;

namespace CallCenter.Telephony.Pipeline;

/// <summary>The pipeline's instruments: utterances, overload outcomes, lag behind real time, failures and hits.</summary>
public sealed class PipelineMetrics
{
    private readonly Counter<long> _utterances;
    private readonly Counter<long> _overload;
    private readonly Counter<long> _failures;
    private readonly Counter<long> _suspect;
    private readonly Histogram<double> _lag;
    private readonly Histogram<double> _hitLatency;

    public PipelineMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        var meter = meters.Create("CallCenter.Telephony");
        _utterances = meter.CreateCounter<long>("callcenter.pipeline.utterances", description: "Utterances cut by the voice-activity detector");
        _overload = meter.CreateCounter<long>("callcenter.pipeline.overload", description: "Utterances batched (agent) or dropped (customer) because a leg's queue was full");
        _failures = meter.CreateCounter<long>("callcenter.pipeline.failures", description: "Utterances whose transcription or storage failed");
        _suspect = meter.CreateCounter<long>("callcenter.pipeline.suspect", description: "Segments marked as likely hallucinations");
        _lag = meter.CreateHistogram<double>("callcenter.pipeline.lag", unit: "s", description: "Time an utterance waited in its queue before transcription");
        _hitLatency = meter.CreateHistogram<double>("callcenter.pipeline.hit_latency", unit: "s", description: "From the end of an utterance to its screening hits being stored");
    }

    private static KeyValuePair<string, object?> LegTag(CallLeg leg) => new("leg", TranscriptStore.SpeakerText(leg));

    public void Utterance(CallLeg leg) => _utterances.Add(1, LegTag(leg));

    public void Overload(CallLeg leg, EnqueueOutcome outcome) =>
        _overload.Add(1, LegTag(leg), new KeyValuePair<string, object?>("outcome", outcome == EnqueueOutcome.Batched ? "batched" : "dropped"));

    public void Failure(CallLeg leg) => _failures.Add(1, LegTag(leg));

    public void Suspect(CallLeg leg) => _suspect.Add(1, LegTag(leg));

    public void Lag(CallLeg leg, TimeSpan lag) => _lag.Record(lag.TotalSeconds, LegTag(leg));

    public void HitLatency(TimeSpan latency) => _hitLatency.Record(latency.TotalSeconds);
}
