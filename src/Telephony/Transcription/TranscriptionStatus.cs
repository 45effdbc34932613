using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace CallCenter.Telephony.Transcription;

public enum TranscriptionMode
{
    Off,
    Whisper,
    Server,
}

public enum TranscriptionState
{
    Off,
    Loading,
    Ready,
    Failed,
}

/// <summary>What transcription is doing now, for /healthz and the supervisor page. Thread-safe.</summary>
public sealed class TranscriptionStatus(TranscriptionMode mode)
{
    private volatile Snapshot current = new(mode == TranscriptionMode.Off ? TranscriptionState.Off : TranscriptionState.Loading, mode == TranscriptionMode.Off ? "no Transcription:ModelPath or Transcription:Server:BaseUrl configured" : null);

    public TranscriptionMode Mode { get; } = mode;

    public TranscriptionState State => current.State;

    public string? Detail => current.Detail;

    public void Set(TranscriptionState state, string? detail) => current = new Snapshot(state, detail);

    private sealed record Snapshot(TranscriptionState State, string? Detail);
}

/// <summary>Reports transcription as off/loading/ready (healthy: the call service works without it) or failed (degraded).</summary>
public sealed class TranscriptionHealthCheck(TranscriptionStatus status) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var data = new Dictionary<string, object> { ["mode"] = status.Mode.ToString().ToLowerInvariant(), ["state"] = status.State.ToString().ToLowerInvariant() };
        var description = status.State switch
        {
            TranscriptionState.Off => "off",
            TranscriptionState.Failed => "failed: " + status.Detail,
            _ => status.State.ToString().ToLowerInvariant(),
        };
        return Task.FromResult(status.State == TranscriptionState.Failed
            ? HealthCheckResult.Degraded(description, data: data)
            : HealthCheckResult.Healthy(description, data));
    }
}
