using System.Net;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Agents;

/// <summary>What the ACD needs to ring agents for one queued call.</summary>
public sealed record RingRequest(Guid CallId, string? CallerNumber, string DialedNumber, int ServiceLineId, string LineCode,
    TimeSpan RingTimeout, byte[] SdpOffer);

/// <summary>The agent who answered, with the 2xx of the agent leg (its dialog: To tag, Contact) and the INVITE sent.</summary>
public sealed record AgentAnswer(int AgentId, SipRequest Invite, SipResponse Answer, SipRemote Phone);

/// <summary>
/// The ACD's ringing loop: claim the next agent, INVITE all of the agent's registered contacts, publish
/// <see cref="AgentRinging"/> (the screen-pop), and on ring timeout CANCEL, release the agent and try the next one.
/// </summary>
public sealed partial class AgentRinger(SipCore core, AgentSelector selector, RegistrationStore registrations, CallEventBus events,
    TimeProvider time, ILogger<AgentRinger> logger)
{
    // Bounds the loop when agents keep rejecting at once (each is excluded after one try anyway).
    private const int MaxAgentsPerCall = 50;

    /// <summary>Rings agents until one answers (returned), none is left (null) or <paramref name="ct"/> ends (caller hung up).</summary>
    public async Task<AgentAnswer?> RingAsync(RingRequest request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var excluded = new List<int>();
        for (var i = 0; i < MaxAgentsPerCall && !ct.IsCancellationRequested; i++)
        {
            var agentId = await selector.ClaimAsync(request.CallId, request.ServiceLineId, excluded, ct);
            if (agentId is not { } agent)
            {
                return null;
            }

            excluded.Add(agent);
            var answer = await RingClaimedAsync(request, agent, ct);
            if (answer is not null)
            {
                return answer;
            }

            // Release with no token: the agent must not stay "ringing" because the caller left.
            await selector.ReleaseAsync(request.CallId, agent, ct.IsCancellationRequested ? "caller left" : "no answer", CancellationToken.None);
        }

        return null;
    }

    /// <summary>Rings one named agent (a transfer target) if they can be claimed; null when not available or no answer.</summary>
    public async Task<AgentAnswer?> RingAgentAsync(RingRequest request, int agentId, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (!await selector.ClaimAgentAsync(request.CallId, agentId, ct))
        {
            return null;
        }

        var answer = await RingClaimedAsync(request, agentId, ct);
        if (answer is null)
        {
            await selector.ReleaseAsync(request.CallId, agentId, ct.IsCancellationRequested ? "caller left" : "no answer", CancellationToken.None);
        }

        return answer;
    }

    private async Task<AgentAnswer?> RingClaimedAsync(RingRequest request, int agentId, CancellationToken ct)
    {
        var legs = new List<(InviteClientTransaction Tx, SipRemote Phone)>();
        foreach (var contact in await registrations.ContactsAsync(agentId, ct))
        {
            if (!TryRemote(contact, out var phone))
            {
                LogBadContact(agentId);
                continue;
            }

            legs.Add((core.SendInvite(NewInvite(request, contact), phone), phone));
        }

        if (legs.Count == 0)
        {
            return null;
        }

        events.Publish(new AgentRinging(request.CallId, time.GetUtcNow(), agentId, request.CallerNumber, request.DialedNumber,
            request.ServiceLineId, request.LineCode));
        LogRinging(request.CallId, agentId, legs.Count);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(request.RingTimeout);
        var pending = legs.ToList();
        try
        {
            while (pending.Count > 0)
            {
                var done = await Task.WhenAny(pending.Select(l => l.Tx.Completion)).WaitAsync(timeout.Token);
                var leg = pending.First(l => l.Tx.Completion == done);
                pending.Remove(leg);
                if (await done is { StatusCode: >= 200 and < 300 } ok)
                {
                    CancelAll(pending, agentId);
                    return new AgentAnswer(agentId, leg.Tx.Request, ok, leg.Phone);
                }
            }
        }
        catch (OperationCanceledException)
        {
            LogRingEnded(request.CallId, agentId, ct.IsCancellationRequested ? "caller left" : "ring timeout");
        }

        CancelAll(pending, agentId);
        return null;
    }

    /// <summary>
    /// CANCELs the legs still ringing. A 200 can cross our CANCEL (RFC 3261 §9.1): the transaction ACKs it and
    /// we hang that phone up at once with a BYE; it is never bridged.
    /// </summary>
    private void CancelAll(List<(InviteClientTransaction Tx, SipRemote Phone)> legs, int agentId)
    {
        foreach (var (tx, phone) in legs)
        {
            tx.Cancel();
            _ = tx.Completion.ContinueWith(t =>
            {
                if (t.IsCompletedSuccessfully && t.Result is { StatusCode: >= 200 and < 300 } late)
                {
                    var leg = new AgentLeg(new AgentAnswer(agentId, tx.Request, late, phone));
                    var port = core.Transport(phone.Transport)?.LocalEndPoint.Port ?? 5060;
                    _ = core.SendRequestAsync(leg.CreateRequest("BYE", core.AdvertisedHost, port), phone);
                    LogLateAnswer(agentId);
                }
            }, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }
    }

    private SipRequest NewInvite(RingRequest request, string contact)
    {
        var invite = new SipRequest("INVITE", contact);
        invite.Add("From", "<sip:" + request.DialedNumber + "@" + core.AdvertisedHost + ">;tag=" + SipText.NewBranch()[7..]);
        invite.Add("To", "<" + contact + ">");
        invite.Add("Call-ID", Guid.NewGuid().ToString("N") + "@" + core.AdvertisedHost);
        invite.Add("CSeq", "1 INVITE");
        invite.Add("Contact", "<sip:callcenter@" + core.AdvertisedHost + ":" + (core.Transport(SipTransportKind.Udp)?.LocalEndPoint.Port ?? 5060) + ">");
        invite.Add("Content-Type", "application/sdp");
        invite.Body = request.SdpOffer;
        return invite;
    }

    // Agents register over UDP from loopback/LAN; the contact's host:port is where their phone listens.
    private static bool TryRemote(string contact, out SipRemote remote)
    {
        remote = null!;
        if (!SipUri.TryParse(contact, out var uri) || !IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address))
        {
            return false;
        }

        remote = new SipRemote(SipTransportKind.Udp, new IPEndPoint(address, uri.Port ?? 5060));
        return true;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} rings agent {AgentId} on {Contacts} contact(s)")]
    private partial void LogRinging(Guid callId, int agentId, int contacts);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} stops ringing agent {AgentId}: {Reason}")]
    private partial void LogRingEnded(Guid callId, int agentId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Agent {AgentId} answered after we cancelled; the leg was hung up")]
    private partial void LogLateAnswer(int agentId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Agent {AgentId} has a contact that is not an IP sip: URI; skipped")]
    private partial void LogBadContact(int agentId);
}
