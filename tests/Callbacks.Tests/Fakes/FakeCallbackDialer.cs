using System.Collections.Concurrent;
using CallCenter.Callbacks.Execution;

namespace CallCenter.Callbacks.Tests.Fakes;

/// <summary>
/// FAKE dialer at the ICallbackDialer seam (the softswitch's outbound calls do not exist yet): places no call,
/// records every request it is given and answers with a scripted result.
/// </summary>
public sealed class FakeCallbackDialer(Func<DialRequest, DialResult>? script = null) : ICallbackDialer
{
    private readonly ConcurrentQueue<DialRequest> _requests = new();

    public IReadOnlyList<DialRequest> Requests => [.. _requests];

    public Task<DialResult> DialAsync(DialRequest request, CancellationToken cancellationToken)
    {
        _requests.Enqueue(request);
        return Task.FromResult(script?.Invoke(request) ?? new DialResult(DialOutcome.NoAnswer));
    }

    public int CountFor(long attemptId) => _requests.Count(r => r.AttemptId == attemptId);
}
