using CallCenter.Telephony.Sdp;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Calls;

/// <summary>In-dialog requests of both legs: BYE, re-INVITE (hold/resume, media moves), REFER; CANCEL and ACK.</summary>
public sealed partial class CallManager
{
    // Offers we made in the 200 to a re-INVITE without SDP, by Call-ID and CSeq, until the ACK brings the answer.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, PendingReOffer> _pendingReOffers = new(StringComparer.Ordinal);

    public void OnAck(SipRequest ack, SipRemote from)
    {
        // The 2xx ACK stops retransmission (done by the core). After a re-INVITE without SDP it also carries the
        // answer to the offer we put in our 200 (RFC 3261 §14.2, RFC 3264 §8).
        if (!_pendingReOffers.TryRemove(ack.CallId + ":" + ack.CSeq.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), out var pending))
        {
            return;
        }

        if (!SdpSession.TryParse(SdpBody(ack), out var answer, out _))
        {
            LogLateAnswerMissing(pending.Call.Id, pending.Side.ToString());
            return; // the offer/answer failed: media stays as it was
        }

        if (!ApplyRemoteSdp(pending.Call, pending.Side, pending.Session, answer, out _, out var refusal))
        {
            LogLateAnswerRefused(pending.Call.Id, pending.Side.ToString(), refusal);
        }
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
            _ = EndAsync(call, call.Closed ? "closed" : "abandoned", "caller", "CANCEL before answer", sendBye: false);
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
            var disposition = call.Closed ? "closed" : call.State == CallState.Queued || call.State == CallState.Announcing ? "abandoned" : "completed";
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
        _pendingReOffers.TryRemove(invite.Request.CallId + ":" + invite.Request.CSeq.Number.ToString(System.Globalization.CultureInfo.InvariantCulture), out _);
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

        if (session is null)
        {
            tx.Respond(488, "Not Acceptable Here - re-INVITE without a usable offer");
            return;
        }

        var ok = tx.CreateResponse(200);
        var port = _core.Transport(tx.Remote.Transport)?.LocalEndPoint.Port ?? 5060;
        ok.Add("Contact", "<sip:callcenter@" + _core.AdvertisedHost + ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture) + ">");
        ok.Add("Content-Type", "application/sdp");
        var body = SdpBody(request);
        if (body.Length == 0)
        {
            // No offer (a session refresh, or a phone asking us to offer): we offer what runs now, sendrecv,
            // and apply the answer the ACK brings.
            _pendingReOffers[request.CallId + ":" + request.CSeq.Number.ToString(System.Globalization.CultureInfo.InvariantCulture)] = new PendingReOffer(call, side, session);
            ok.Body = SdpNegotiator.WriteAnswer(session.Agreement with { Direction = "sendrecv" }, MediaAddress, session.LocalPort, _time.GetUtcNow().ToUnixTimeSeconds());
            tx.Respond(ok);
            LogLateOffer(call.Id, side.ToString());
            return;
        }

        if (!SdpSession.TryParse(body, out var offer, out _))
        {
            tx.Respond(488, "Not Acceptable Here - re-INVITE without a usable offer");
            return;
        }

        if (!ApplyRemoteSdp(call, side, session, offer, out var direction, out var refusal))
        {
            tx.Respond(488, refusal);
            return;
        }

        // WriteAnswer mirrors the direction: they only send → we only receive, and so on
        ok.Body = SdpNegotiator.WriteAnswer(session.Agreement with { Direction = direction }, MediaAddress, session.LocalPort, _time.GetUtcNow().ToUnixTimeSeconds());
        tx.Respond(ok);
    }

    // The other side's SDP (a re-INVITE's offer, or the answer in the ACK to our late offer): sendonly/inactive (or
    // the old c=0.0.0.0) holds, sendrecv resumes, a new address/port moves that leg's media. False with the reason
    // phrase for a 488 when it cannot be taken (another codec, no usable audio). `direction` is theirs, as taken.
    private bool ApplyRemoteSdp(InboundCall call, CallLeg side, Media.RtpSession session, SdpSession sdp, out string direction, out string refusal)
    {
        refusal = "";
        var current = session.Agreement;
        direction = Direction(sdp);
        System.Net.IPEndPoint? moved = null;
        if (SdpNegotiator.TryAnswer(sdp, out var agreement, out var error))
        {
            if (agreement.Codec != current.Codec)
            {
                refusal = "Not Acceptable Here - codec change mid-call";
                return false;
            }

            moved = agreement.RemoteMedia.Equals(session.Remote) || agreement.RemoteMedia.Equals(current.RemoteMedia) ? null : agreement.RemoteMedia;
        }
        else if (error.Contains("0.0.0.0", StringComparison.Ordinal))
        {
            direction = "inactive"; // RFC 2543 hold: keep sending nowhere, keep the address we had
        }
        else
        {
            refusal = "Not Acceptable Here";
            return false;
        }

        var held = direction is "sendonly" or "inactive";
        if (moved is not null)
        {
            session.UpdateRemote(moved);
        }

        call.Bridge?.SetHeld(side, held);
        if (call.State is CallState.Connected or CallState.Held)
        {
            call.SetState(held ? CallState.Held : CallState.Connected);
            _ = _store.SetStateAsync(call.Id, held ? "held" : "connected", CancellationToken.None);
        }

        LogReInvite(call.Id, side.ToString(), direction, moved is not null);
        return true;
    }

    private static string Direction(SdpSession sdp) => sdp.Media.FirstOrDefault(m => m.Media == "audio")?.Direction ?? "sendrecv";

    private sealed record PendingReOffer(InboundCall Call, CallLeg Side, Media.RtpSession Session);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: re-INVITE without SDP from the {Leg} leg; we offered in the 200 and wait for the answer in the ACK")]
    private partial void LogLateOffer(Guid callId, string leg);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: the ACK from the {Leg} leg carried no usable SDP answer to our offer; media stays as it was")]
    private partial void LogLateAnswerMissing(Guid callId, string leg);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: the SDP answer in the ACK from the {Leg} leg cannot be taken ({Refusal}); media stays as it was")]
    private partial void LogLateAnswerRefused(Guid callId, string leg, string refusal);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: re-INVITE from the {Leg} leg, direction {Direction}, media moved {Moved}")]
    private partial void LogReInvite(Guid callId, string leg, string direction, bool moved);
}
