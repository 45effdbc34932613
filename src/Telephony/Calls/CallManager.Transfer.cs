using System.Text;
using CallCenter.Telephony.Agents;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Calls;

/// <summary>
/// Blind transfer (RFC 3515): REFER from the agent leg, or <see cref="TransferAsync"/> from the web. The target is
/// another agent (sip:agent2@...) who is rung alone, or a line (one of its toll-free numbers, or its code) on
/// which the call is queued again. The transferor gets NOTIFYs with message/sipfrag and is hung up on success.
/// </summary>
public sealed partial class CallManager
{
    /// <summary>Transfers a connected call (web entry point); false when the call is unknown, not connected or the target failed.</summary>
    public async Task<bool> TransferAsync(Guid callId, string target, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(target);
        var call = _byCallId.Values.FirstOrDefault(c => c.Id == callId);
        if (call is null || call.IsEnded || call.Agent is not { } leg)
        {
            return false;
        }

        leg.Transferring = true;
        return await TransferCoreAsync(call, leg, target, null, ct);
    }

    private void OnRefer(ServerTransaction tx, InboundCall call, AgentLeg leg)
    {
        if (tx.Request.Get("Refer-To") is not { } referTo || !NameAddress.TryParse(referTo, out var na))
        {
            tx.Respond(400, "Bad Request - missing Refer-To");
            return;
        }

        if (leg.IsEnded || !ReferenceEquals(call.Agent, leg) || leg.Transferring)
        {
            tx.Respond(leg.IsEnded ? 481 : 491);
            return;
        }

        leg.Transferring = true;
        tx.Respond(202);
        Notify(leg, "SIP/2.0 100 Trying", final: false);
        _ = Task.Run(async () =>
        {
            try
            {
                var ok = await TransferCoreAsync(call, leg, na.Uri, outcome => Notify(leg, outcome, final: true), call.Lifetime.Token);
                LogTransfer(call.Id, leg.AgentId, ok);
            }
            catch (OperationCanceledException)
            {
                Notify(leg, "SIP/2.0 487 Request Terminated", final: true);
            }
#pragma warning disable CA1031 // a failed transfer leaves the call as it was; never crash
            catch (Exception ex)
#pragma warning restore CA1031
            {
                LogTransferFailed(ex, call.Id);
                Notify(leg, "SIP/2.0 500 Server Internal Error", final: true);
            }
        }, CancellationToken.None);
    }

    /// <summary>Rings the target (agent) or requeues (line); on success the old agent leg is hung up.</summary>
    private async Task<bool> TransferCoreAsync(InboundCall call, AgentLeg from, string target, Action<string>? notify, CancellationToken ct)
    {
        var name = SipUri.TryParse(target, out var uri) ? uri.User ?? "" : target.Trim();
        var line = call.Line!;
        if (await _selector.FindAgentAsync(name, ct) is { } agentId)
        {
            var answer = await RingOnceAsync(call, line, agentId, ct);
            if (answer is not { } a)
            {
                from.Transferring = false;
                notify?.Invoke("SIP/2.0 480 Temporarily Unavailable");
                return false;
            }

            notify?.Invoke("SIP/2.0 200 OK");
            await EndOneAgentLegAsync(call, from, "transferred to agent " + agentId);
            return await BridgeAsync(call, a.Answer, a.Lease);
        }

        var digits = SipText.DigitsOnly(name);
        if (await _dnis.LineOfTargetAsync(string.IsNullOrEmpty(digits) ? name : digits, ct) is not { } newLine)
        {
            from.Transferring = false;
            notify?.Invoke("SIP/2.0 404 Not Found");
            return false;
        }

        if (!await _hours.IsOpenAsync(newLine.Id, ct))
        {
            // Nobody there to take the caller: the agent keeps them, and the NOTIFY (or the web call) says so.
            from.Transferring = false;
            notify?.Invoke("SIP/2.0 480 Temporarily Unavailable");
            return false;
        }

        notify?.Invoke("SIP/2.0 200 OK");
        await EndOneAgentLegAsync(call, from, "transferred to line " + newLine.Code);
        call.Line = newLine;
        call.SetState(CallState.Queued);
        await _store.SetLineAsync(call.Id, newLine.Id, ct);
        await _store.SetStateAsync(call.Id, "queued", ct);
        _events.Publish(new CallQueued(call.Id, _time.GetUtcNow(), newLine.Id, await _attendant.PositionAsync(call.Id, ct) ?? 1));
        _ = Task.Run(() => RunQueueAsync(call), CancellationToken.None);
        return true;
    }

    /// <summary>NOTIFY of the implicit refer subscription (RFC 3515 §2.4.4) carrying the transfer's progress.</summary>
    private void Notify(AgentLeg leg, string statusLine, bool final)
    {
        if (leg.IsEnded)
        {
            return;
        }

        var port = _core.Transport(leg.Phone.Transport)?.LocalEndPoint.Port ?? 5060;
        var notify = leg.CreateRequest("NOTIFY", _core.AdvertisedHost, port);
        notify.Add("Event", "refer");
        notify.Add("Subscription-State", final ? "terminated;reason=noresource" : "active;expires=60");
        notify.Add("Content-Type", "message/sipfrag;version=2.0");
        notify.Body = Encoding.ASCII.GetBytes(statusLine + "\r\n");
        _ = _core.SendRequestAsync(notify, leg.Phone);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: transfer from agent {AgentId} succeeded: {Succeeded}")]
    private partial void LogTransfer(Guid callId, int agentId, bool succeeded);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallId}: transfer failed")]
    private partial void LogTransferFailed(Exception ex, Guid callId);
}
