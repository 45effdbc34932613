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
    private readonly ConcurrentDictionary<string, (Calls.AgentLeg Leg, Action OnBye)> _agents = new(StringComparer.Ordinal);

    public int Count => _calls.Count;

    internal bool TryAdd(OutboundCall call) => _calls.TryAdd(call.SipCallId, call);

    internal void Remove(OutboundCall call) => _calls.TryRemove(new KeyValuePair<string, OutboundCall>(call.SipCallId, call));

    internal void TryAddAgent(Calls.AgentLeg leg, Action onBye) => _agents.TryAdd(leg.SipCallId, (leg, onBye));

    internal void RemoveAgent(Calls.AgentLeg leg) => _agents.TryRemove(leg.SipCallId, out _);

    /// <summary>True when the request belongs to an outbound call; it has then been answered.</summary>
    public bool TryHandle(ServerTransaction transaction)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        var request = transaction.Request;
        if (_agents.TryGetValue(request.CallId, out var agent))
        {
            return HandleAgent(transaction, agent.Leg, agent.OnBye);
        }

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

    /// <summary>In-dialog requests from the agent's phone on an agent-first call: BYE ends it; re-INVITE is refused.</summary>
    private static bool HandleAgent(ServerTransaction transaction, Calls.AgentLeg leg, Action onBye)
    {
        var request = transaction.Request;
        if (!leg.Matches(request))
        {
            transaction.Respond(481);
            return true;
        }

        if (request.Method == "INVITE")
        {
            transaction.Respond(488);
            return true;
        }

        transaction.Respond(200);
        if (request.Method == "BYE" && leg.TryEnd())
        {
            onBye();
        }

        return true;
    }
}
