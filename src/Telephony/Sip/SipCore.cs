using System.Collections.Concurrent;
using System.Net;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Sip;

/// <summary>
/// Transport-independent SIP core: parses, matches transactions (RFC 3261 §17.2.3, with the RFC 2543 fallback),
/// answers what needs no call knowledge (OPTIONS, unknown methods, malformed requests, CANCEL matching) and hands
/// the rest to the <see cref="ISipUserAgent"/>.
/// </summary>
public sealed partial class SipCore
{
    public static readonly string[] AllowedMethods = ["INVITE", "ACK", "CANCEL", "BYE", "OPTIONS", "INFO", "REGISTER", "REFER"];

    private readonly ConcurrentDictionary<string, ServerTransaction> _server = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ServerTransaction> _awaitingAck = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, ClientTransaction> _client = new(StringComparer.Ordinal);
    private readonly Dictionary<SipTransportKind, ISipTransport> _transports = [];
    private readonly ILogger<SipCore> _logger;
    private readonly FloodGuard _guard;
    private ISipUserAgent? _ua;
    private long _lastMalformedLog;

    public SipCore(SipTimers timers, SipMetrics metrics, FloodGuard guard, TimeProvider time, ILogger<SipCore> logger)
    {
        Timers = timers;
        Metrics = metrics;
        Time = time;
        _guard = guard;
        _logger = logger;
    }

    public SipTimers Timers { get; }

    public SipMetrics Metrics { get; }

    public TimeProvider Time { get; }

    /// <summary>Host written into our Via and Contact headers.</summary>
    public string AdvertisedHost { get; set; } = "127.0.0.1";

    public int ServerTransactionCount => _server.Count;

    public void AddTransport(ISipTransport transport)
    {
        ArgumentNullException.ThrowIfNull(transport);
        _transports[transport.Kind] = transport;
    }

    public void Start(ISipUserAgent ua)
    {
        _ua = ua;
        foreach (var t in _transports.Values)
        {
            t.Start(OnReceive);
        }
    }

    public ISipTransport? Transport(SipTransportKind kind) => _transports.GetValueOrDefault(kind);

    internal void OnReceive(ReadOnlySpan<byte> data, SipRemote from)
    {
        Metrics.Received.Add(1);
        if (IsGuardedRequest(data) && !_guard.Allow(from.EndPoint.Address))
        {
            Metrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", "flood"));
            return;
        }

        var result = SipParser.Parse(data, from.Transport == SipTransportKind.Tcp);
        switch (result.Outcome)
        {
            case SipParseOutcome.KeepAlive:
                return;
            case SipParseOutcome.Rejected or SipParseOutcome.Incomplete:
                OnMalformed(result, from);
                return;
        }

        if (result.Message is SipResponse response)
        {
            OnResponse(response);
        }
        else if (result.Message is SipRequest request)
        {
            OnRequest(request, from);
        }
    }

    // Flood limits apply to requests that start work (INVITE, REGISTER, OPTIONS ...), not to in-call signalling.
    private static bool IsGuardedRequest(ReadOnlySpan<byte> data) =>
        !(data.StartsWith("SIP/"u8) || data.StartsWith("ACK "u8) || data.StartsWith("BYE "u8) || data.StartsWith("CANCEL "u8));

    private void OnMalformed(SipParseResult result, SipRemote from)
    {
        var answerable = result.Answerable;
        if (answerable is not null && answerable.Method != "ACK")
        {
            Metrics.Rejected.Add(1);
            var r = SipResponse.For(answerable, result.RejectStatus, result.RejectStatus == 400 ? "Bad Request - " + result.Error : null);
            Send(from, r);
        }
        else
        {
            Metrics.Dropped.Add(1, new KeyValuePair<string, object?>("reason", "malformed"));
        }

        // One line per second at most: a flood of garbage must not become a flood of logs.
        var now = Time.GetTimestamp();
        var last = Interlocked.Read(ref _lastMalformedLog);
        if (Time.GetElapsedTime(last, now) >= TimeSpan.FromSeconds(1) && Interlocked.CompareExchange(ref _lastMalformedLog, now, last) == last)
        {
            LogMalformed(from.EndPoint.Address, result.Error ?? "unknown", answerable is not null);
        }
    }

    private void OnRequest(SipRequest request, SipRemote from)
    {
        AddReceived(request, from);
        var via = request.TopVia!;
        if (request.Method == "ACK")
        {
            if (_server.TryGetValue(Key(request, via, "INVITE"), out var inviteTx) && inviteTx.LastResponse is { StatusCode: >= 300 })
            {
                inviteTx.Acknowledge();
                return;
            }

            if (_awaitingAck.TryRemove(AckKey(request.CallId, request.CSeq.Number), out var acked))
            {
                acked.Acknowledge();
            }

            _ua?.OnAck(request, from);
            return;
        }

        if (request.Method == "CANCEL")
        {
            OnCancel(request, via, from);
            return;
        }

        var key = Key(request, via, request.Method);
        if (_server.TryGetValue(key, out var existing))
        {
            existing.ResendLast(); // a retransmission: same answer again, no new work
            return;
        }

        var tx = new ServerTransaction(this, key, request, from);
        if (!_server.TryAdd(key, tx))
        {
            tx.Dispose();
            return;
        }

        Dispatch(tx);
    }

    private void Dispatch(ServerTransaction tx)
    {
        var request = tx.Request;
        var scheme = SipUri.SchemeOf(request.RequestUri) ?? "";
        if (!SipUri.IsSupportedScheme(scheme))
        {
            tx.Respond(416);
            return;
        }

        if (request.Method == "INVITE" && SipUri.TryParse(request.RequestUri, out var target) && target.Headers is not null)
        {
            // Escaped headers belong in a Contact or Refer-To, never in a Request-URI (RFC 3261 §19.1.5, RFC 4475 escruri).
            tx.Respond(400, "Bad Request - headers in Request-URI");
            return;
        }

        if (request.Get("Require") is { Length: > 0 } require && request.Method != "CANCEL")
        {
            // We support no extensions yet (RFC 3261 §8.2.2.3, RFC 4475 bext01).
            var r = tx.CreateResponse(420);
            r.Add("Unsupported", require);
            tx.Respond(r);
            return;
        }

        switch (request.Method)
        {
            case "INVITE":
                if (request.Get("Max-Forwards") == "0")
                {
                    tx.Respond(483);
                    return;
                }

                tx.Respond(tx.CreateResponse(100));
                _ua?.OnInvite(tx);
                return;
            case "OPTIONS":
                var ok = tx.CreateResponse(200);
                ok.Add("Allow", string.Join(", ", AllowedMethods));
                ok.Add("Accept", "application/sdp");
                ok.Add("Supported", "");
                tx.Respond(ok);
                return;
            case "BYE" or "INFO" or "REGISTER" or "REFER":
                _ua?.OnRequest(tx);
                return;
            default:
                var notImplemented = tx.CreateResponse(501);
                notImplemented.Add("Allow", string.Join(", ", AllowedMethods));
                tx.Respond(notImplemented);
                return;
        }
    }

    private void OnCancel(SipRequest cancel, ViaHeader via, SipRemote from)
    {
        var key = Key(cancel, via, "CANCEL");
        if (_server.TryGetValue(key, out var cancelTx))
        {
            cancelTx.ResendLast();
            return;
        }

        cancelTx = new ServerTransaction(this, key, cancel, from);
        _server[key] = cancelTx;
        if (!_server.TryGetValue(Key(cancel, via, "INVITE"), out var invite))
        {
            cancelTx.Respond(481);
            return;
        }

        cancelTx.Respond(200);
        if (!invite.HasFinalResponse)
        {
            _ua?.OnCancel(invite);
        }
    }

    private void OnResponse(SipResponse response)
    {
        var branch = response.TopVia?.Branch;
        if (branch is not null && response.CSeq.Method == "INVITE")
        {
            if (_inviteClient.TryGetValue(branch, out var itx))
            {
                itx.OnResponse(response);
            }

            return;
        }

        if (branch is not null && _client.TryGetValue(branch, out var ctx))
        {
            ctx.OnResponse(response);
            if (response.StatusCode >= 200)
            {
                _client.TryRemove(branch, out _);
            }
        }
    }

    /// <summary>Sends a request (BYE ...) in a new client transaction; null when no final response came in 64×T1.</summary>
    public Task<SipResponse?> SendRequestAsync(SipRequest request, SipRemote to)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(to);
        var branch = AddVia(request, to);
        var tx = new ClientTransaction(this, branch, request, to);
        _client[branch] = tx;
        tx.Start();
        return tx.Completion;
    }

    private string AddVia(SipRequest request, SipRemote to)
    {
        var branch = SipText.NewBranch();
        var local = Transport(to.Transport)?.LocalEndPoint;
        var transport = to.Transport == SipTransportKind.Tcp ? "TCP" : "UDP";
        request.Headers.Insert(0, new SipHeader("Via", "SIP/2.0/" + transport + " " + AdvertisedHost + ":" + (local?.Port ?? 5060) + ";branch=" + branch + ";rport"));
        if (request.Get("Max-Forwards") is null)
        {
            request.Add("Max-Forwards", "70");
        }

        return branch;
    }

    /// <summary>A 2xx to INVITE waits for its ACK, matched by Call-ID and CSeq (RFC 3261 §13.3.1.4).</summary>
    internal void AwaitAck(ServerTransaction tx) => _awaitingAck[AckKey(tx.Request.CallId, tx.Request.CSeq.Number)] = tx;

    internal void Send(SipRemote to, SipMessage message)
    {
        if (message is SipResponse { StatusCode: >= 200 and < 300 } ok && ok.CSeq.Method == "INVITE"
            && _server.TryGetValue(Key((SipRequest?)null, ok), out var tx))
        {
            AwaitAck(tx);
        }

        var transport = Transport(to.Transport);
        if (transport is null)
        {
            return;
        }

        _ = transport.SendAsync(to, message.ToBytes()).AsTask();
    }

    internal void Remove(ServerTransaction tx)
    {
        _server.TryRemove(new KeyValuePair<string, ServerTransaction>(tx.Key, tx));
        _awaitingAck.TryRemove(new KeyValuePair<string, ServerTransaction>(AckKey(tx.Request.CallId, tx.Request.CSeq.Number), tx));
        tx.Dispose();
    }

    internal void Remove(ClientTransaction tx) => _client.TryRemove(new KeyValuePair<string, ClientTransaction>(tx.Branch, tx));

    internal void OnAckTimeout(ServerTransaction tx)
    {
        var wasOk = tx.LastResponse is { StatusCode: < 300 };
        Remove(tx);
        if (wasOk)
        {
            _ua?.OnAckTimeout(tx);
        }
    }

    internal void OnTimerError(Exception ex)
    {
        Metrics.HandlerErrors.Add(1);
        LogTimerError(ex);
    }

    private static string AckKey(string callId, long cseq) => callId + "\n" + cseq.ToString(System.Globalization.CultureInfo.InvariantCulture);

    // RFC 3261 §17.2.3: branch + sent-by + method; RFC 2543 peers (no magic cookie) fall back to dialog fields.
    private static string Key(SipRequest request, ViaHeader via, string method)
    {
        if (via.HasRfc3261Branch)
        {
            return via.Branch + "\n" + via.Host + ":" + via.Port + "\n" + method;
        }

        var fromTag = NameAddress.TryParse(request.Get("From") ?? "", out var from) ? from.Tag : null;
        return "2543\n" + request.CallId + "\n" + request.CSeq.Number + "\n" + fromTag + "\n" + via.Host + ":" + via.Port + "\n" + method;
    }

    private static string Key(SipRequest? request, SipResponse response)
    {
        _ = request;
        var via = response.TopVia;
        if (via is null)
        {
            return "";
        }

        if (via.HasRfc3261Branch)
        {
            return via.Branch + "\n" + via.Host + ":" + via.Port + "\nINVITE";
        }

        var fromTag = NameAddress.TryParse(response.Get("From") ?? "", out var from) ? from.Tag : null;
        return "2543\n" + response.CallId + "\n" + response.CSeq.Number + "\n" + fromTag + "\n" + via.Host + ":" + via.Port + "\nINVITE";
    }

    // RFC 3261 §18.2.1 and RFC 3581: note the real source so responses reach it through NAT.
    private static void AddReceived(SipRequest request, SipRemote from)
    {
        var index = request.Headers.FindIndex(h => h.Name == "Via");
        var values = SipText.SplitList(request.Headers[index].Value);
        var top = values[0];
        var ip = from.EndPoint.Address.ToString();
        if (ViaHeader.TryParse(top, out var via) && via.Host != ip)
        {
            top += ";received=" + ip;
        }

        if (via is not null && via.Parameters.TryGetValue("rport", out var rport) && rport is null)
        {
            top = top.Replace(";rport", ";rport=" + from.EndPoint.Port, StringComparison.Ordinal);
        }

        values[0] = top;
        request.Headers[index] = new SipHeader("Via", string.Join(", ", values));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Malformed SIP from {Source}: {Error} (answered: {Answered}); further lines this second suppressed")]
    private partial void LogMalformed(IPAddress source, string error, bool answered);

    [LoggerMessage(Level = LogLevel.Error, Message = "SIP timer callback failed")]
    private partial void LogTimerError(Exception ex);
}
