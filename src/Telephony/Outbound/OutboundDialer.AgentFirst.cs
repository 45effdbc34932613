using CallCenter.Telephony.Agents;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Outbound;

/// <summary>
/// Who takes an agent-first call: the owner if available, else (with a line, or Telephony:Outbound:AgentLine) the
/// longest-idle agent of that line.
/// <paramref name="CallbackId"/> and <paramref name="Kind"/> travel to the screen-pop (<see cref="CallbackRinging"/>).
/// </summary>
public sealed record AgentTarget(int? OwnerAgentId, int? ServiceLineId, string LineCode, long? CallbackId, string Kind);

/// <summary>An agent's phone rings for a callback: the screen-pop's callback context (customer number masked).</summary>
public sealed record CallbackRinging(Guid CallId, DateTimeOffset At, long? CallbackId, long? CallbackAttemptId, string Kind, long? CustomerId,
    string MaskedDestination) : CallEvent(CallId, At);

/// <summary>Agent-first outbound calls: ring the agent (screen-pop), then dial the customer and bridge both legs.</summary>
public sealed partial class OutboundDialer
{
    /// <summary>The agent leg of an agent-first call, while it lives.</summary>
    private sealed class AgentSide(AgentLeg leg, RtpSession media)
    {
        public AgentLeg Leg { get; } = leg;

        public RtpSession Media { get; } = media;

        public CancellationTokenSource Hangup { get; } = new();
    }

    /// <summary>
    /// Rings the agent first; when they answer, dials the customer and bridges the two legs until either hangs up.
    /// Nobody answering at the agent side ends with Failed ("no agent answered") and the customer is never dialed.
    /// </summary>
    public async Task<OutboundResult> PlaceAgentFirstAsync(OutboundRequest request, AgentTarget agent, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(agent);
        return await PlaceCoreAsync(request, agent, ct);
    }

    /// <summary>Rings the agent on a fresh port; null (all released) when nobody answered or the answer was unusable.</summary>
    private async Task<AgentSide?> RingAgentAsync(Guid id, OutboundRequest request, string destination, AgentTarget target, CancellationToken ct)
    {
        var lease = _ports.Rent();
        if (lease is null)
        {
            return null;
        }

        AgentAnswer? answer;
        try
        {
            if (target.ServiceLineId is null && !string.IsNullOrWhiteSpace(_options.AgentLine))
            {
                target = target with { ServiceLineId = await _outboundStore.LineIdAsync(_options.AgentLine, ct), LineCode = _options.AgentLine };
            }

            var address = System.Net.IPAddress.TryParse(_telephony.Sip.PublicAddress ?? _core.AdvertisedHost, out var a) ? a : System.Net.IPAddress.Loopback;
            var offer = OutboundSdp.WriteOffer(address, lease.Port, _time.GetUtcNow().ToUnixTimeSeconds());
            // The agent's phone shows the customer's number as the caller, so the desk's screen-pop finds the customer.
            var ring = new RingRequest(id, destination, _options.CallerId!, target.ServiceLineId ?? 0, target.LineCode,
                TimeSpan.FromSeconds(_options.MaxRingSeconds), offer);
            _events.Publish(new CallbackRinging(id, _time.GetUtcNow(), target.CallbackId, request.CallbackAttemptId, target.Kind, request.CustomerId, Mask(destination)));
            answer = target.OwnerAgentId is { } owner ? await _ringer.RingAgentAsync(ring, owner, ct) : null;
            if (answer is null && target.ServiceLineId is not null)
            {
                answer = await _ringer.RingAsync(ring, ct);
            }
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        if (answer is null)
        {
            lease.Dispose();
            return null;
        }

        var leg = new AgentLeg(answer);
        if (!OutboundSdp.TryReadAnswer(answer.Answer.Body, out var agreement, out var error))
        {
            LogBadAgentAnswer(id, answer.AgentId, error);
            lease.Dispose();
            leg.TryEnd();
            await SendByeAsync(leg.CreateRequest("BYE", _core.AdvertisedHost, LocalSipPort), leg.Phone);
            await _selector.ReleaseAsync(id, answer.AgentId, "unusable SDP answer", CancellationToken.None);
            return null;
        }

        var side = new AgentSide(leg, new RtpSession(lease, agreement, answer.Phone.EndPoint.Address, null, _ => { }, _mediaMetrics, _time));
        _dialogs.TryAddAgent(leg, () => side.Hangup.Cancel());
        side.Media.Start();
        await _states.ChangeAsync(answer.AgentId, AgentState.OnCall, [AgentState.Ringing], "callback: dialing the customer", id, CancellationToken.None);
        LogAgentAnswered(id, answer.AgentId);
        return side;
    }

    /// <summary>The customer answered: bridge both legs until one hangs up (or the maximum duration), then end both.</summary>
    private async Task<OutboundResult> RunBridgedAsync(OutboundCall call, AgentSide agent, Sdp.SdpAgreement agreement, RtpPortLease lease, CancellationToken ct)
    {
        var reason = "maximum call duration";
        MediaBridge? bridge = null;
        try
        {
            await StartMediaAsync(call, agreement, lease, ct);

            // Both legs go to live transcription and screening, as on inbound calls: an agent's words on a
            // callback are screened like any other (the bridge keeps these taps and adds its own).
            call.Media!.Tap = CallAudioTaps.For(_audioSinks, call.Id, CallLeg.Customer);
            agent.Media.Tap = CallAudioTaps.For(_audioSinks, call.Id, CallLeg.Agent);
            bridge = new MediaBridge(call.Media!, agent.Media, null);
            bridge.Start();
            await _store.SetConnectedAsync(call.Id, agent.Leg.AgentId, CancellationToken.None);
            _events.Publish(new OutboundCallSettled(call.Id, _time.GetUtcNow(), "answered", call.Answer.StatusCode));
            _events.Publish(new CallAnswered(call.Id, _time.GetUtcNow(), agent.Leg.AgentId));
            LogBridged(call.Id, agent.Leg.AgentId);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct, call.Hangup.Token, agent.Hangup.Token);
            try
            {
                await Task.Delay(TimeSpan.FromSeconds(_options.MaxCallSeconds), _time, limit.Token);
            }
            catch (OperationCanceledException)
            {
                reason = call.RemoteHungUp ? "BYE from callee" : agent.Hangup.IsCancellationRequested ? "BYE from agent" : "cancelled by the caller of the dialer";
            }
        }
#pragma warning disable CA1031 // both legs must always be hung up and recorded, whatever failed
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogScriptFailed(ex, call.Id);
            reason = "failed: " + ex.GetType().Name;
        }

        bridge?.Dispose();
        await EndAgentAsync(call.Id, agent, wrapUp: true);
        await EndAnsweredAsync(call, reason, agent.Hangup.IsCancellationRequested && !call.RemoteHungUp ? "agent" : null);
        foreach (var sink in _audioSinks)
        {
            sink.OnLegEnded(call.Id, CallLeg.Customer);
            sink.OnLegEnded(call.Id, CallLeg.Agent);
        }

        return new OutboundResult(OutboundOutcome.Answered, call.Answer.StatusCode, null, call.Id, reason);
    }

    /// <summary>Hangs the agent leg up (unless the phone did), closes its media, and moves the agent on.</summary>
    private async Task EndAgentAsync(Guid callId, AgentSide agent, bool wrapUp)
    {
        if (!agent.Hangup.IsCancellationRequested && agent.Leg.TryEnd())
        {
            await SendByeAsync(agent.Leg.CreateRequest("BYE", _core.AdvertisedHost, LocalSipPort), agent.Leg.Phone);
        }

        await agent.Media.DisposeAsync();
        _dialogs.RemoveAgent(agent.Leg);
        if (wrapUp)
        {
            await _states.EnterWrapUpAsync(agent.Leg.AgentId, _telephony.Acd.WrapUpSeconds, callId, CancellationToken.None);
        }
        else
        {
            await _states.ChangeAsync(agent.Leg.AgentId, AgentState.Available, [AgentState.OnCall, AgentState.Ringing], "callback not reached", callId, CancellationToken.None);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Outbound call {CallId}: agent {AgentId} answered with unusable SDP ({Reason}); hung up")]
    private partial void LogBadAgentAnswer(Guid callId, int agentId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound call {CallId}: agent {AgentId} answered; dialing the customer")]
    private partial void LogAgentAnswered(Guid callId, int agentId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound call {CallId} bridged to agent {AgentId}")]
    private partial void LogBridged(Guid callId, int agentId);
}
