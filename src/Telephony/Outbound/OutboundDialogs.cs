using System.Collections.Concurrent;
using CallCenter.Telephony.Sip;

namespace CallCenter.Telephony.Outbound;

/// <summary>
/// Answered outbound calls by SIP Call-ID, so in-dialog requests from the customer's side (BYE above all) reach
/// the outbound call. The call layer asks here before answering 481 (CallManager.Outbound.cs).
/// </summary>
public sealed class OutboundDialogs
{
    private readonly ConcurrentDictionary<string, OutboundCall> _calls = new(StringComparer.Ordinal);

    public int Count => _calls.Count;

    internal bool TryAdd(OutboundCall call) => _calls.TryAdd(call.SipCallId, call);

    internal void Remove(OutboundCall call) => _calls.TryRemove(new KeyValuePair<string, OutboundCall>(call.SipCallId, call));

    /// <summary>True when the request belongs to an outbound call; it has then been answered.</summary>
    public bool TryHandle(ServerTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var request = transaction.Request;
        if (!_calls.TryGetValue(request.CallId, out var call))
        {
            return false;
        }

        if (!call.Matches(request))
        {
            transaction.Respond(481);
            return true;
        }

        if (request.Method == "INVITE")
        {
            // A re-INVITE (hold, session refresh): the call keeps its media, as for inbound calls.
            transaction.Respond(488);
            return true;
        }

        transaction.Respond(200);
        if (request.Method == "BYE")
        {
            call.OnRemoteBye();
        }

        return true;
    }
}
