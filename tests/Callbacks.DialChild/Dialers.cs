using CallCenter.Callbacks.Execution;

namespace CallCenter.Callbacks.DialChild;

/// <summary>FAKE dialer: says it is dialing, then never returns, like a call in progress when the process is killed.</summary>
internal sealed class HangingDialer : ICallbackDialer
{
    public async Task<DialResult> DialAsync(DialRequest request, CancellationToken cancellationToken)
    {
        Console.WriteLine("DIALING " + request.AttemptId + " " + request.SipCallId);
        await Task.Delay(Timeout.Infinite, cancellationToken);
        return new DialResult(DialOutcome.Failed);
    }
}

/// <summary>FAKE dialer: places no call, prints one line per dial so the test counts dials per attempt (like INVITEs at sipp).</summary>
internal sealed class PrintingDialer(string node) : ICallbackDialer
{
    public Task<DialResult> DialAsync(DialRequest request, CancellationToken cancellationToken)
    {
        Console.WriteLine("DIALED " + request.AttemptId + " " + node);
        return Task.FromResult(new DialResult(DialOutcome.Answered));
    }
}
