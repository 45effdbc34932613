using System.Globalization;
using System.Text.RegularExpressions;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Outbound;

/// <summary>
/// Places outbound calls through the trunk: INVITE (our SDP offer, the caller's Call-ID and extra headers) in an
/// INVITE client transaction, ring timeout → CANCEL, final response → structured outcome; when answered, records
/// the customer leg, runs the automated script (prompt, keys, one re-prompt, goodbye) and hangs up with BYE.
/// Every step is written to the calls row (direction 'outbound') and published on the <see cref="CallEventBus"/>.
/// </summary>
public sealed partial class OutboundDialer
{
    // After CANCEL, how long we wait for the 487 (or a crossing 2xx) before calling it no answer.
    private static readonly TimeSpan CancelGrace = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan ByeWait = TimeSpan.FromSeconds(5);

    private readonly SipCore _core;
    private readonly OutboundDialogs _dialogs;
    private readonly OutboundCallStore _outboundStore;
    private readonly CallStore _store;
    private readonly RtpPortPool _ports;
    private readonly PromptPlayer _player;
    private readonly PromptLibrary _prompts;
    private readonly CallEventBus _events;
    private readonly MediaMetrics _mediaMetrics;
    private readonly OutboundOptions _options;
    private readonly TelephonyOptions _telephony;
    private readonly TimeProvider _time;
    private readonly ILogger<OutboundDialer> _logger;
    private readonly Agents.AgentRinger _ringer;
    private readonly Agents.AgentSelector _selector;
    private readonly Agents.AgentStates _states;
    private readonly System.Diagnostics.Metrics.Counter<long> _placed;
    private readonly Regex _allowed;
    private readonly System.Net.IPEndPoint? _trunk;
    private readonly Calls.ICallAudioSink[] _audioSinks; // live transcription and screening of bridged callbacks
    private int _active;

    public OutboundDialer(SipCore core, OutboundDialogs dialogs, OutboundCallStore outboundStore, CallStore store, RtpPortPool ports,
        PromptPlayer player, PromptLibrary prompts, CallEventBus events, MediaMetrics mediaMetrics, IOptions<OutboundOptions> options,
        IOptions<TelephonyOptions> telephony, TimeProvider time, ILogger<OutboundDialer> logger, Agents.AgentRinger ringer,
        Agents.AgentSelector selector, Agents.AgentStates states, TelephonyMetrics metrics, IEnumerable<Calls.ICallAudioSink> audioSinks)
    {
        _audioSinks = [.. audioSinks];
        ArgumentNullException.ThrowIfNull(metrics);
        _placed = metrics.Meter.CreateCounter<long>("callcenter.outbound.calls", description: "Outbound calls by outcome (refused: not dialed at all)");
        _ringer = ringer;
        _selector = selector;
        _states = states;
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(telephony);
        _core = core;
        _dialogs = dialogs;
        _outboundStore = outboundStore;
        _store = store;
        _ports = ports;
        _player = player;
        _prompts = prompts;
        _events = events;
        _mediaMetrics = mediaMetrics;
        _options = options.Value;
        _telephony = telephony.Value;
        _time = time;
        _logger = logger;
        _trunk = OutboundOptions.TryParseTrunk(_options.Trunk, out var trunk) ? trunk : null;
        _allowed = new Regex(_options.AllowedDestinationPattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
    }

    /// <summary>False when no trunk is configured: every call is refused with a Failed result and its reason.</summary>
    public bool Enabled => _options.Enabled;

    /// <summary>A trunk is configured and SIP is listening: calls can be placed now.</summary>
    public bool CanDial => _trunk is not null && _core.Transport(SipTransportKind.Udp) is not null;

    public int ActiveCalls => Volatile.Read(ref _active);

    /// <summary>An automated call (or, without a script, a call hung up politely when answered).</summary>
    public async Task<OutboundResult> PlaceAsync(OutboundRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        return await PlaceCoreAsync(request, null, ct);
    }

    private async Task<OutboundResult> PlaceCoreAsync(OutboundRequest request, AgentTarget? agent, CancellationToken ct)
    {
        if (Refusal(request) is { } refusal)
        {
            LogRefused(Mask(request.Destination), request.SipCallId, refusal);
            _placed.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
            return new OutboundResult(OutboundOutcome.Failed, null, null, null, refusal);
        }

        if (Interlocked.Increment(ref _active) > _options.MaxConcurrentCalls)
        {
            Interlocked.Decrement(ref _active);
            _placed.Add(1, new KeyValuePair<string, object?>("outcome", "refused"));
            return new OutboundResult(OutboundOutcome.Failed, null, null, null, "outbound capacity reached (Telephony:Outbound:MaxConcurrentCalls)");
        }

        try
        {
            var result = await DialAsync(request, SipText.DigitsOnly(request.Destination)!, agent, ct);
            _placed.Add(1, new KeyValuePair<string, object?>("outcome", result.Outcome.ToString().ToLowerInvariant()));
            return result;
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    /// <summary>Why this request must not be dialed at all (no INVITE leaves), or null.</summary>
    private string? Refusal(OutboundRequest r)
    {
        if (_trunk is null)
        {
            return "outbound calls are disabled: Telephony:Outbound:Trunk is not set";
        }

        if (_core.Transport(SipTransportKind.Udp) is null)
        {
            return "SIP is not listening (Telephony:Sip:Enabled is false or the server has not started)";
        }

        var digits = SipText.DigitsOnly(r.Destination);
        if (digits is null || digits.Length != r.Destination.Trim().Length || !_allowed.IsMatch(digits))
        {
            return "destination not allowed by Telephony:Outbound:AllowedDestinationPattern";
        }

        if (string.IsNullOrEmpty(r.SipCallId) || r.SipCallId.Length > 200 || !r.SipCallId.All(c => c > ' ' && c < 127 && c != '<' && c != '>' && c != '"'))
        {
            return "invalid SIP Call-ID";
        }

        foreach (var (name, value) in r.Headers)
        {
            if (!SipText.IsToken(name) || value.Any(c => c is '\r' or '\n' || char.IsControl(c)))
            {
                return "invalid extra header " + name;
            }
        }

        return null;
    }

    private async Task<OutboundResult> DialAsync(OutboundRequest request, string destination, AgentTarget? target, CancellationToken ct)
    {
        var trunk = _trunk!;
        var remote = new SipRemote(SipTransportKind.Udp, trunk);
        var id = Guid.NewGuid();
        var lease = _ports.Rent();
        if (lease is null)
        {
            return new OutboundResult(OutboundOutcome.Failed, null, null, null, "no free RTP port");
        }

        var node = _telephony.NodeName ?? Environment.MachineName;
        if (!await _outboundStore.InsertAsync(id, request.SipCallId, _options.CallerId!, destination, request.CallbackAttemptId, request.CustomerId, node, ct))
        {
            lease.Dispose();
            return new OutboundResult(OutboundOutcome.Failed, null, null, null, "an outbound call with this Call-ID exists already; not dialed again");
        }

        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["CallId"] = id });
        AgentSide? agent = null;
        if (target is not null)
        {
            agent = await RingAgentAsync(id, request, destination, target, ct);
            if (agent is null)
            {
                lease.Dispose();
                const string nobody = "no agent answered; the customer was not dialed";
                await _store.EndAsync(id, "failed", "system", nobody, null, CancellationToken.None);
                _events.Publish(new CallEnded(id, _time.GetUtcNow(), "failed", "system", nobody));
                return new OutboundResult(OutboundOutcome.Failed, null, null, id, nobody);
            }
        }

        var invite = NewInvite(request, destination, trunk.ToString(), lease.Port);
        _events.Publish(new OutboundCallPlaced(id, _time.GetUtcNow(), Mask(destination), request.SipCallId, request.CallbackAttemptId));
        LogDialing(id, Mask(destination), request.SipCallId);
        var ringing = 0;
        var heard = 0;
        var tx = _core.SendInvite(invite, remote, r =>
        {
            Volatile.Write(ref heard, 1);
            if (r.StatusCode is 180 or 183 && Interlocked.Exchange(ref ringing, 1) == 0)
            {
                _ = SetStateQuietlyAsync(id, "ringing");
            }
        });

        var (final, cancelled) = await AwaitFinalAsync(tx, ct);
        if (final is { StatusCode: >= 200 and < 300 } ok)
        {
            return await RunAnsweredAsync(id, request, invite, ok, remote, lease, agent, ct);
        }

        lease.Dispose();
        if (agent is not null)
        {
            await EndAgentAsync(id, agent, wrapUp: false);
        }

        var (outcome, disposition, endedBy, reason) = Classify(final, cancelled, Volatile.Read(ref heard) == 1);
        if (!tx.Completion.IsCompleted)
        {
            // Nothing final yet (CANCEL unanswered, or no provisional so no CANCEL could be sent): a late 2xx is hung up.
            _ = HangUpLateAnswerAsync(tx, remote);
        }

        await _store.EndAsync(id, disposition, endedBy, reason, null, CancellationToken.None);
        _events.Publish(new OutboundCallSettled(id, _time.GetUtcNow(), disposition, final?.StatusCode));
        _events.Publish(new CallEnded(id, _time.GetUtcNow(), disposition, endedBy, reason));
        LogSettled(id, disposition, final?.StatusCode);
        return new OutboundResult(outcome, final?.StatusCode, null, id, reason);
    }

    private async Task<(SipResponse? Final, bool Cancelled)> AwaitFinalAsync(InviteClientTransaction tx, CancellationToken ct)
    {
        using var ring = CancellationTokenSource.CreateLinkedTokenSource(ct);
        ring.CancelAfter(TimeSpan.FromSeconds(_options.MaxRingSeconds));
        try
        {
            return (await tx.Completion.WaitAsync(ring.Token), false);
        }
        catch (OperationCanceledException)
        {
            tx.Cancel();
        }

        try
        {
            return (await tx.Completion.WaitAsync(CancelGrace, _time, CancellationToken.None), true);
        }
        catch (TimeoutException)
        {
            return (null, true);
        }
    }

    /// <summary>RFC 3261 status → outcome, calls.disposition, ended_by and a reason for the row.</summary>
    internal static (OutboundOutcome Outcome, string Disposition, string EndedBy, string Reason) Classify(SipResponse? final, bool cancelled, bool heardBack)
    {
        if (final is null)
        {
            return cancelled || heardBack
                ? (OutboundOutcome.NoAnswer, "no_answer", "system", cancelled ? "ring timeout" : "no final response")
                : (OutboundOutcome.Failed, "failed", "system", "no response from the trunk");
        }

        var status = final.StatusCode;
        var reason = status.ToString(CultureInfo.InvariantCulture) + " " + final.Reason;
        return status switch
        {
            486 or 600 => (OutboundOutcome.Busy, "busy", "callee", reason),
            408 or 480 => (OutboundOutcome.NoAnswer, "no_answer", "callee", reason),
            487 => (OutboundOutcome.NoAnswer, "no_answer", "system", "ring timeout (" + reason + ")"),
            403 or 404 or 603 or 604 => (OutboundOutcome.Rejected, "rejected", "callee", reason),
            _ => (OutboundOutcome.Failed, "failed", "system", reason),
        };
    }

    private SipRequest NewInvite(OutboundRequest request, string destination, string trunk, int mediaPort)
    {
        var sipPort = _core.Transport(SipTransportKind.Udp)?.LocalEndPoint.Port ?? 5060;
        var host = _core.AdvertisedHost;
        var invite = new SipRequest("INVITE", "sip:" + destination + "@" + trunk);
        invite.Add("From", "<sip:" + _options.CallerId + "@" + host + ">;tag=" + SipText.NewTag());
        invite.Add("To", "<sip:" + destination + "@" + trunk + ">");
        invite.Add("Call-ID", request.SipCallId);
        invite.Add("CSeq", "1 INVITE");
        invite.Add("Contact", "<sip:" + _options.CallerId + "@" + host + ":" + sipPort.ToString(CultureInfo.InvariantCulture) + ">");
        invite.Add("Allow", string.Join(", ", SipCore.AllowedMethods));
        foreach (var (name, value) in request.Headers)
        {
            invite.Add(name, value);
        }

        invite.Add("Content-Type", "application/sdp");
        var address = System.Net.IPAddress.TryParse(_telephony.Sip.PublicAddress ?? host, out var a) ? a : System.Net.IPAddress.Loopback;
        invite.Body = OutboundSdp.WriteOffer(address, mediaPort, _time.GetUtcNow().ToUnixTimeSeconds());
        return invite;
    }

    private async Task HangUpLateAnswerAsync(InviteClientTransaction tx, SipRemote remote)
    {
        if (await tx.Completion is { StatusCode: >= 200 and < 300 } late)
        {
            LogLateAnswer(tx.Request.CallId);
            await SendByeAsync(OutboundCall.ByeFor(tx.Request, late, tx.Request.CSeq.Number + 1, _core.AdvertisedHost, LocalSipPort), remote);
        }
    }

    private int LocalSipPort => _core.Transport(SipTransportKind.Udp)?.LocalEndPoint.Port ?? 5060;

    private async Task SendByeAsync(SipRequest bye, SipRemote remote)
    {
        try
        {
            if (await _core.SendRequestAsync(bye, remote).WaitAsync(ByeWait, _time, CancellationToken.None) is null)
            {
                LogByeUnanswered(bye.CallId);
            }
        }
        catch (TimeoutException)
        {
            LogByeUnanswered(bye.CallId);
        }
    }

    private async Task SetStateQuietlyAsync(Guid id, string state)
    {
        try
        {
            await _store.SetStateAsync(id, state, CancellationToken.None);
        }
        catch (Npgsql.NpgsqlException ex)
        {
            LogStateFailed(ex, id, state);
        }
    }

    /// <summary>Logs keep the last four digits only (reliability.md §4).</summary>
    internal static string Mask(string number) => number.Length <= 4 ? "****" : new string('*', number.Length - 4) + number[^4..];

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound call {CallId} to {Destination}, Call-ID {SipCallId}")]
    private partial void LogDialing(Guid callId, string destination, string sipCallId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbound call to {Destination} (Call-ID {SipCallId}) not placed: {Reason}")]
    private partial void LogRefused(string destination, string sipCallId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound call {CallId} not answered: {Disposition} (SIP {Status})")]
    private partial void LogSettled(Guid callId, string disposition, int? status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbound call with Call-ID {SipCallId} was answered after we gave up; hung up")]
    private partial void LogLateAnswer(string sipCallId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "BYE of Call-ID {SipCallId} got no final response")]
    private partial void LogByeUnanswered(string sipCallId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbound call {CallId}: state {State} not written")]
    private partial void LogStateFailed(Exception ex, Guid callId, string state);
}
