using CallCenter.Telephony.Sdp;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Calls;

/// <summary>In-dialog requests of both legs: BYE, re-INVITE (hold/resume, media moves), REFER; CANCEL and ACK.</summary>
public sealed partial class CallManager
{
    public void OnAck(SipRequest ack, SipRemote from)
    {
        // The 2xx ACK only stops retransmission (done by the core); media is already flowing.
    }

    public void OnCancel(ServerTransaction invite)
    {
        if (!_byCallId.TryGetValue(invite.Request.CallId, out var call) || call.Invite != invite)
        {
            invite.Respond(487);
            return;
        }

        if (invite.Respond(487))
        {
            _ = EndAsync(call, "abandoned", "caller", "CANCEL before answer", sendBye: false);
        }
    }

    public void OnRequest(ServerTransaction transaction)
    {
        var request = transaction.Request;
        if (request.Method == "REGISTER")
        {
            _registrar.Handle(transaction);
            return;
        }

        if (RoutedToOutbound(transaction))
        {
            return;
        }

        if (_byAgentCallId.TryGetValue(request.CallId, out var agent) && agent.Leg.Matches(request))
        {
            OnAgentRequest(transaction, agent.Call, agent.Leg);
            return;
        }

        if (!_byCallId.TryGetValue(request.CallId, out var call) || !call.Matches(request) || call.IsEnded)
        {
            transaction.Respond(481);
            return;
        }

        if (request.Method == "REFER")
        {
            transaction.Respond(403, "Forbidden - callers cannot transfer");
            return;
        }

        transaction.Respond(200);
        if (request.Method == "BYE")
        {
            var disposition = call.State == CallState.Queued || call.State == CallState.Announcing ? "abandoned" : "completed";
            _ = EndAsync(call, disposition, "caller", "BYE from caller", sendBye: false);
        }
    }

    private void OnAgentRequest(ServerTransaction transaction, InboundCall call, AgentLeg leg)
    {
        switch (transaction.Request.Method)
        {
            case "BYE":
                transaction.Respond(200);
                if (!leg.TryEnd())
                {
                    return; // a retransmission, or we hung up first
                }

                if (leg.Transferring || !ReferenceEquals(call.Agent, leg))
                {
                    // The transferring agent hangs up as blind transfer expects: only their leg ends.
                    _ = EndOneAgentLegAsync(call, leg, "BYE from agent during transfer");
                }
                else
                {
                    _ = EndAsync(call, "completed", "agent", "BYE from agent", sendBye: true);
                }

                return;
            case "REFER":
                OnRefer(transaction, call, leg);
                return;
            default:
                transaction.Respond(leg.IsEnded ? 481 : 200);
                return;
        }
    }

    /// <summary>Ends the agent leg alone when it is still the call's current one; the caller stays.</summary>
    private async Task EndOneAgentLegAsync(InboundCall call, AgentLeg leg, string reason)
    {
        await call.Gate.WaitAsync(CancellationToken.None);
        try
        {
            if (ReferenceEquals(call.Agent, leg))
            {
                var (_, bridge) = call.TakeAgent();
                await EndAgentLegAsync(call, leg, bridge, call.AgentLegRowId, reason);
            }
        }
        finally
        {
            call.Gate.Release();
        }
    }

    public void OnAckTimeout(ServerTransaction invite)
    {
        if (_byCallId.TryGetValue(invite.Request.CallId, out var call))
        {
            _ = EndAsync(call, "failed", "system", "no ACK for 200 OK", sendBye: true);
        }
        else if (_byAgentCallId.TryGetValue(invite.Request.CallId, out var agent))
        {
            _ = EndAsync(agent.Call, "failed", "system", "no ACK for 200 OK to the agent's re-INVITE", sendBye: true);
        }
    }

    /// <summary>
    /// A re-INVITE on either leg (RFC 3264 §8): a=sendonly/inactive (or the old c=0.0.0.0) holds, sendrecv resumes;
    /// a new address/port moves that leg's media. We answer with the same codec, our address and port unchanged
    /// and the direction mirrored; the bridge stops sending toward a side that holds.
    /// </summary>
    private void OnReInvite(ServerTransaction tx)
    {
        var request = tx.Request;
        InboundCall? call = null;
        var side = CallLeg.Customer;
        Media.RtpSession? session = null;
        if (_byCallId.TryGetValue(request.CallId, out var c) && c.Matches(request) && !c.IsEnded)
        {
            call = c;
            session = c.Media;
        }
        else if (_byAgentCallId.TryGetValue(request.CallId, out var a) && a.Leg.Matches(request) && !a.Leg.IsEnded)
        {
            call = a.Call;
            side = CallLeg.Agent;
            session = a.Leg.Media;
        }

        if (call is null)
        {
            tx.Respond(481);
            return;
        }

        if (session is null || !SdpSession.TryParse(SdpBody(request), out var offer, out var error))
        {
            tx.Respond(488, "Not Acceptable Here - re-INVITE without a usable offer");
            return;
        }

        var current = session.Agreement;
        var direction = offer.Media.FirstOrDefault(m => m.Media == "audio")?.Direction ?? "sendrecv";
        System.Net.IPEndPoint? moved = null;
        if (SdpNegotiator.TryAnswer(offer, out var agreement, out error))
        {
            if (agreement.Codec != current.Codec)
            {
                tx.Respond(488, "Not Acceptable Here - codec change mid-call");
                return;
            }

            moved = agreement.RemoteMedia.Equals(session.Remote) || agreement.RemoteMedia.Equals(current.RemoteMedia) ? null : agreement.RemoteMedia;
        }
        else if (error.Contains("0.0.0.0", StringComparison.Ordinal))
        {
            direction = "inactive"; // RFC 2543 hold: keep sending nowhere, keep the address we had
        }
        else
        {
            tx.Respond(488);
            return;
        }

        var held = direction is "sendonly" or "inactive";
        if (moved is not null)
        {
            session.UpdateRemote(moved);
        }

        call.Bridge?.SetHeld(side, held);
        var ok = tx.CreateResponse(200);
        var port = _core.Transport(tx.Remote.Transport)?.LocalEndPoint.Port ?? 5060;
        ok.Add("Contact", "<sip:callcenter@" + _core.AdvertisedHost + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) + ">");
        ok.Add("Content-Type", "application/sdp");
        ok.Body = SdpNegotiator.WriteAnswer(current with { Direction = direction }, MediaAddress, session.LocalPort, _time.GetUtcNow().ToUnixTimeSeconds());
        tx.Respond(ok);
        if (call.State is CallState.Connected or CallState.Held)
        {
            call.SetState(held ? CallState.Held : CallState.Connected);
            _ = _store.SetStateAsync(call.Id, held ? "held" : "connected", CancellationToken.None);
        }

        LogReInvite(call.Id, side.ToString(), direction, moved is not null);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: re-INVITE from the {Leg} leg, direction {Direction}, media moved {Moved}")]
    private partial void LogReInvite(Guid callId, string leg, string direction, bool moved);
}
