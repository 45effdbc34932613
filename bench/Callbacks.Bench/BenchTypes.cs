using System.Globalization;
using CallCenter.Callbacks.Execution;

namespace CallCenter.Callbacks.Bench;

internal sealed record Stats(int Count, double P50, double P95, double Max, double PerSecond)
{
    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"n={Count} p50={P50}s p95={P95}s max={Max}s {PerSecond}/s");
}

/// <summary>FAKE dialer: places no call and answers at once, so the figures measure the scheduler and the database.</summary>
internal sealed class InstantFakeDialer : ICallbackDialer
{
    public Task<DialResult> DialAsync(DialRequest request, CancellationToken cancellationToken) =>
        Task.FromResult(new DialResult(DialOutcome.Answered));
}
