namespace CallCenter.Telephony.Sip;

/// <summary>
/// A non-INVITE client transaction (RFC 3261 §17.1.2): retransmits over UDP at T1 doubling to T2 until a final
/// response, and gives up after 64×T1 (Timer F) with a null result.
/// </summary>
internal sealed class ClientTransaction : IDisposable
{
    private readonly SipCore _stack;
    private readonly TaskCompletionSource<SipResponse?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly DateTimeOffset _giveUpAt;
    private TimeSpan _interval;
    private ITimer? _timer;

    public ClientTransaction(SipCore stack, string branch, SipRequest request, SipRemote remote)
    {
        _stack = stack;
        Branch = branch;
        Request = request;
        Remote = remote;
        _interval = stack.Timers.T1;
        _giveUpAt = stack.Time.GetUtcNow() + stack.Timers.Timeout;
    }

    public string Branch { get; }

    public SipRequest Request { get; }

    public SipRemote Remote { get; }

    public Task<SipResponse?> Completion => _done.Task;

    public void Start()
    {
        _stack.Send(Remote, Request);
        var first = Remote.Transport == SipTransportKind.Udp ? _interval : _stack.Timers.Timeout;
        lock (_gate)
        {
            _timer = _stack.Time.CreateTimer(_ => OnTimer(), null, first, Timeout.InfiniteTimeSpan);
        }
    }

    public void OnResponse(SipResponse response)
    {
        if (response.StatusCode >= 200 && _done.TrySetResult(response))
        {
            Dispose();
        }
    }

    private void OnTimer()
    {
        try
        {
            if (_done.Task.IsCompleted)
            {
                return;
            }

            if (_stack.Time.GetUtcNow() >= _giveUpAt)
            {
                _done.TrySetResult(null);
                _stack.Remove(this);
                Dispose();
                return;
            }

            _stack.Metrics.Retransmissions.Add(1);
            _stack.Send(Remote, Request);
            lock (_gate)
            {
                _interval = _interval * 2 > _stack.Timers.T2 ? _stack.Timers.T2 : _interval * 2;
                _timer?.Change(_interval, Timeout.InfiniteTimeSpan);
            }
        }
#pragma warning disable CA1031 // timer callbacks must never throw
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _stack.OnTimerError(ex);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _timer?.Dispose();
        }
    }
}
