namespace CallCenter.Telephony.Sip;

/// <summary>RFC 3261 timer values; tests shorten them.</summary>
public sealed record SipTimers(TimeSpan T1, TimeSpan T2, TimeSpan T4)
{
    public static SipTimers Default { get; } = new(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(5));

    /// <summary>Timer B/F/H/J: 64 × T1.</summary>
    public TimeSpan Timeout => T1 * 64;
}

/// <summary>
/// A server transaction (RFC 3261 §17.2): remembers the last response to answer retransmitted requests, and for
/// INVITE retransmits the final response over UDP until the ACK (2xx: §13.3.1.4, others: Timer G/H).
/// </summary>
public sealed class ServerTransaction : IDisposable
{
    private readonly SipCore _stack;
    private readonly Lock _gate = new();
    private ITimer? _timer;
    private TimeSpan _interval;
    private DateTimeOffset _giveUpAt;
    private bool _acked;
    private bool _disposed;

    internal ServerTransaction(SipCore stack, string key, SipRequest request, SipRemote remote)
    {
        _stack = stack;
        Key = key;
        Request = request;
        Remote = remote;
    }

    public string Key { get; }

    public SipRequest Request { get; }

    public SipRemote Remote { get; }

    /// <summary>Our To tag for every response of this transaction (and the dialog it creates).</summary>
    public string LocalTag { get; } = SipText.NewTag();

    public bool IsInvite => Request.Method == "INVITE";

    public SipResponse? LastResponse { get; private set; }

    public bool HasFinalResponse => LastResponse is { StatusCode: >= 200 };

    public bool Acknowledged => _acked;

    public SipResponse CreateResponse(int statusCode, string? reason = null) => SipResponse.For(Request, statusCode, reason, LocalTag);

    /// <summary>Sends a response; a second final response is ignored (only one final per transaction).</summary>
    public bool Respond(SipResponse response)
    {
        ArgumentNullException.ThrowIfNull(response);
        lock (_gate)
        {
            if (HasFinalResponse || _disposed)
            {
                return false;
            }

            LastResponse = response;
        }

        _stack.Send(Remote, response);
        if (response.StatusCode >= 200)
        {
            OnFinal(response);
        }

        return true;
    }

    public bool Respond(int statusCode, string? reason = null) => Respond(CreateResponse(statusCode, reason));

    internal void ResendLast()
    {
        var last = LastResponse;
        if (last is not null)
        {
            _stack.Metrics.Retransmissions.Add(1);
            _stack.Send(Remote, last);
        }
    }

    private void OnFinal(SipResponse response)
    {
        var timers = _stack.Timers;
        var udp = Remote.Transport == SipTransportKind.Udp;
        lock (_gate)
        {
            if (IsInvite)
            {
                _interval = timers.T1;
                _giveUpAt = _stack.Time.GetUtcNow() + timers.Timeout;
                // Over TCP nothing is retransmitted, but we still wait for the ACK (Timer H / 64×T1).
                var first = udp ? timers.T1 : timers.Timeout;
                _timer = _stack.Time.CreateTimer(_ => OnTimer(), null, first, Timeout.InfiniteTimeSpan);
            }
            else
            {
                // Timer J: keep answering retransmissions for 64×T1 on UDP; TCP needs no absorption.
                var linger = udp ? timers.Timeout : TimeSpan.FromSeconds(1);
                _timer = _stack.Time.CreateTimer(_ => _stack.Remove(this), null, linger, Timeout.InfiniteTimeSpan);
            }
        }
    }

    private void OnTimer()
    {
        try
        {
            bool giveUp;
            lock (_gate)
            {
                if (_acked || _disposed)
                {
                    return;
                }

                giveUp = _stack.Time.GetUtcNow() >= _giveUpAt;
                if (!giveUp)
                {
                    _interval = _interval * 2 > _stack.Timers.T2 ? _stack.Timers.T2 : _interval * 2;
                    _timer?.Change(_interval, Timeout.InfiniteTimeSpan);
                }
            }

            if (giveUp)
            {
                _stack.OnAckTimeout(this);
                return;
            }

            ResendLast();
        }
#pragma warning disable CA1031 // timer callbacks must never throw (reliability.md §1)
        catch (Exception ex)
#pragma warning restore CA1031
        {
            _stack.OnTimerError(ex);
        }
    }

    /// <summary>The ACK arrived: stop retransmitting; linger a little to absorb retransmitted INVITEs.</summary>
    internal void Acknowledge()
    {
        lock (_gate)
        {
            if (_acked || _disposed)
            {
                return;
            }

            _acked = true;
            _timer?.Dispose();
            // Timer I (T4) for non-2xx; for 2xx keep the entry a while so a late INVITE retransmission is re-answered.
            var linger = LastResponse is { StatusCode: >= 300 } ? _stack.Timers.T4 : _stack.Timers.Timeout / 2;
            _timer = _stack.Time.CreateTimer(_ => _stack.Remove(this), null, linger, Timeout.InfiniteTimeSpan);
        }
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _disposed = true;
            _timer?.Dispose();
        }
    }
}
