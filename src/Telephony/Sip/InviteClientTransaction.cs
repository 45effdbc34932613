namespace CallCenter.Telephony.Sip;

/// <summary>
/// An INVITE client transaction (RFC 3261 §17.1.1): over UDP retransmits at T1 doubling (Timer A) until a
/// response, gives up after 64×T1 (Timer B) in Calling with a null result; ACKs non-2xx finals in the
/// transaction and 2xx finals as the TU (§13.2.2.4); CANCEL is sent only once a provisional arrived (§9.1).
/// </summary>
public sealed class InviteClientTransaction : IDisposable
{
    private readonly SipCore _stack;
    private readonly TaskCompletionSource<SipResponse?> _done = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly Lock _gate = new();
    private readonly Action<SipResponse>? _onProvisional;
    private readonly DateTimeOffset _giveUpAt;
    private TimeSpan _interval;
    private ITimer? _timer;
    private bool _proceeding;
    private bool _cancelWanted;
    private bool _cancelSent;
    private SipRequest? _ack;

    internal InviteClientTransaction(SipCore stack, string branch, SipRequest invite, SipRemote remote, Action<SipResponse>? onProvisional)
    {
        _stack = stack;
        Branch = branch;
        Request = invite;
        Remote = remote;
        _onProvisional = onProvisional;
        _interval = stack.Timers.T1;
        _giveUpAt = stack.Time.GetUtcNow() + stack.Timers.Timeout;
    }

    public string Branch { get; }

    public SipRequest Request { get; }

    public SipRemote Remote { get; }

    /// <summary>The final response, or null when nothing answered within Timer B.</summary>
    public Task<SipResponse?> Completion => _done.Task;

    internal void Start()
    {
        _stack.Send(Remote, Request);
        lock (_gate)
        {
            var first = Remote.Transport == SipTransportKind.Udp ? _interval : _stack.Timers.Timeout;
            _timer = _stack.Time.CreateTimer(_ => OnTimer(), null, first, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>Stops the ringing: CANCEL now if a provisional came, else as soon as one does (RFC 3261 §9.1).</summary>
    public void Cancel()
    {
        bool sendNow;
        lock (_gate)
        {
            if (_done.Task.IsCompleted || _cancelWanted)
            {
                return;
            }

            _cancelWanted = true;
            sendNow = _proceeding;
        }

        if (sendNow)
        {
            SendCancel();
        }
    }

    internal void OnResponse(SipResponse response)
    {
        if (response.StatusCode < 200)
        {
            bool cancel;
            lock (_gate)
            {
                if (_done.Task.IsCompleted)
                {
                    return;
                }

                // Proceeding: no more retransmissions of the INVITE (Timer A stops, Timer B no longer applies).
                _proceeding = true;
                _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                cancel = _cancelWanted;
            }

            if (cancel)
            {
                SendCancel();
            }

            _onProvisional?.Invoke(response);
            return;
        }

        SipRequest ack;
        bool first;
        lock (_gate)
        {
            first = _ack is null;
            _ack ??= BuildAck(response);
            ack = _ack;
        }

        // Retransmitted finals (the peer missed our ACK) get the same ACK again.
        _stack.Send(Remote, ack);
        if (first)
        {
            lock (_gate)
            {
                // Keep absorbing retransmitted finals for 64×T1 (Timer D / RFC 6026), then forget the transaction.
                _timer?.Change(_stack.Timers.Timeout, Timeout.InfiniteTimeSpan);
            }

            _done.TrySetResult(response);
        }
    }

    private void SendCancel()
    {
        lock (_gate)
        {
            if (_cancelSent)
            {
                return;
            }

            _cancelSent = true;
        }

        var cancel = new SipRequest("CANCEL", Request.RequestUri);
        cancel.Headers.Add(Request.Headers.First(h => h.Name.Equals("Via", StringComparison.OrdinalIgnoreCase)));
        CopyDialogHeaders(Request, cancel, Request.Get("To") ?? "");
        cancel.Add("CSeq", Request.CSeq.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) + " CANCEL");
        _ = _stack.SendInTransactionAsync(cancel, Remote, Branch);
    }

    private SipRequest BuildAck(SipResponse response)
    {
        var ack = new SipRequest("ACK", Request.RequestUri);
        if (response.StatusCode >= 300)
        {
            // §17.1.1.3: the ACK of a non-2xx belongs to the INVITE transaction (same Via branch).
            ack.Headers.Add(Request.Headers.First(h => h.Name.Equals("Via", StringComparison.OrdinalIgnoreCase)));
        }
        else
        {
            // §13.2.2.4: the ACK of a 2xx is its own transaction; it goes to the remote target (Contact).
            if (response.Get("Contact") is { } contact && NameAddress.TryParse(contact, out var target))
            {
                ack.RequestUri = target.Uri;
            }

            var transport = Remote.Transport == SipTransportKind.Tcp ? "TCP" : "UDP";
            var port = _stack.Transport(Remote.Transport)?.LocalEndPoint.Port ?? 5060;
            ack.Add("Via", "SIP/2.0/" + transport + " " + _stack.AdvertisedHost + ":" + port + ";branch=" + SipText.NewBranch() + ";rport");
        }

        CopyDialogHeaders(Request, ack, response.Get("To") ?? Request.Get("To") ?? "");
        ack.Add("CSeq", Request.CSeq.Number.ToString(System.Globalization.CultureInfo.InvariantCulture) + " ACK");
        return ack;
    }

    private static void CopyDialogHeaders(SipRequest from, SipRequest to, string toHeader)
    {
        to.Add("Max-Forwards", "70");
        to.Add("From", from.Get("From") ?? "");
        to.Add("To", toHeader);
        to.Add("Call-ID", from.CallId);
    }

    private void OnTimer()
    {
        try
        {
            if (_done.Task.IsCompleted)
            {
                _stack.Remove(this);
                Dispose();
                return;
            }

            lock (_gate)
            {
                if (_proceeding)
                {
                    return;
                }

                var left = _giveUpAt - _stack.Time.GetUtcNow();
                if (Remote.Transport != SipTransportKind.Udp || left <= TimeSpan.Zero)
                {
                    _done.TrySetResult(null);
                    _timer?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
                }
                else
                {
                    _stack.Metrics.Retransmissions.Add(1);
                    _stack.Send(Remote, Request);
                    _interval *= 2;
                    _timer?.Change(_interval < left ? _interval : left, Timeout.InfiniteTimeSpan);
                    return;
                }
            }

            _stack.Remove(this);
            Dispose();
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
