using System.Collections.Concurrent;
using CallCenter.Telephony.Agents;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Routing;
using CallCenter.Telephony.Sdp;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Calls;

/// <summary>
/// ACD and B2BUA: a queued call rings agents of its line (AgentRinger) and is bridged to the one who answers; the
/// agent leg is a dialog we own. Ends of either leg end the other; the agent then wraps up for a while.
/// </summary>
public sealed partial class CallManager
{
    // Agent-leg SIP Call-ID → call and leg, for in-dialog requests from agents' phones (BYE, re-INVITE, REFER).
    private readonly ConcurrentDictionary<string, (InboundCall Call, AgentLeg Leg)> _byAgentCallId = new(StringComparer.Ordinal);

    /// <summary>The call an agent leg's SIP Call-ID belongs to (null when unknown or ended long ago).</summary>
    public InboundCall? FindByAgentLeg(string agentSipCallId) => _byAgentCallId.TryGetValue(agentSipCallId, out var e) ? e.Call : null;

    /// <summary>
    /// Runs the ACD for a queued call until it is bridged or the call ends (caller left, callback chosen at the queue's
    /// offer after the line's max wait, watchdog). Ringing goes on after the offer: a caller who keeps waiting still
    /// gets the next free agent.
    /// </summary>
    private async Task RunAcdAsync(InboundCall call)
    {
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id });
        try
        {
            await WaitForAgentAsync(call, call.Line!, call.Lifetime.Token);
        }
        catch (OperationCanceledException) when (call.Lifetime.IsCancellationRequested)
        {
        }
#pragma warning disable CA1031 // a failing ACD run must not crash the process; the call stays queued and its watchdog ends it
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogAcdFailed(ex, call.Id);
        }
    }

    /// <summary>
    /// "Wait for an agent": rings agents of <paramref name="line"/> (ring timeout → next agent; nobody → short pause,
    /// again) until one answers and is bridged (true), or <paramref name="ct"/> ends or the call ends (false). The
    /// queue races this with its attendant (callback offer) by cancelling <paramref name="ct"/>.
    /// </summary>
    public async Task<bool> WaitForAgentAsync(InboundCall call, ServiceLine line, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(call);
        ArgumentNullException.ThrowIfNull(line);
        var pause = TimeSpan.FromMilliseconds(_options.Acd.RetryPauseMilliseconds);
        while (!ct.IsCancellationRequested && !call.IsEnded)
        {
            var answer = await RingOnceAsync(call, line, agentId: null, ct);
            if (answer is { } a && await BridgeAsync(call, a.Answer, a.Lease))
            {
                return true;
            }

            await Task.Delay(pause, _time, ct);
        }

        return false;
    }

    /// <summary>One ringing round with a fresh RTP port for the agent leg: the line's agents, or one named agent.</summary>
    private async Task<(AgentAnswer Answer, RtpPortLease Lease)?> RingOnceAsync(InboundCall call, ServiceLine line, int? agentId, CancellationToken ct)
    {
        var lease = _ports.Rent();
        if (lease is null)
        {
            LogNoPort(call.Id);
            return null;
        }

        try
        {
            var offer = SdpNegotiator.WriteOffer(MediaAddress, lease.Port, _time.GetUtcNow().ToUnixTimeSeconds());
            var request = new RingRequest(call.Id, call.Caller, call.Dialed, line.Id, line.Code, TimeSpan.FromSeconds(line.RingTimeoutSeconds), offer);
            var answer = agentId is { } one ? await _ringer.RingAgentAsync(request, one, ct) : await _ringer.RingAsync(request, ct);
            if (answer is not null)
            {
                return (answer, lease);
            }
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        lease.Dispose();
        return null;
    }

    /// <summary>Connects the answered agent: media bridge, rows, agent on_call, CallAnswered. False when it could not be used.</summary>
    private async Task<bool> BridgeAsync(InboundCall call, AgentAnswer answer, RtpPortLease lease)
    {
        var leg = new AgentLeg(answer);
        if (!SdpSession.TryParse(SdpBody(answer.Answer), out var sdp, out var error) || !SdpNegotiator.TryReadAnswer(sdp, out var agreement, out error))
        {
            LogBadAgentAnswer(call.Id, answer.AgentId, error);
            lease.Dispose();
            leg.TryEnd();
            SendAgentBye(leg);
            await _selector.ReleaseAsync(call.Id, answer.AgentId, "unusable SDP answer", CancellationToken.None);
            return false;
        }

        leg.Media = new RtpSession(lease, agreement, answer.Phone.EndPoint.Address, null, _ => { }, _mediaMetrics, _time);
        leg.Media.Tap = SinkTap(call.Id, CallLeg.Agent);
        await call.Gate.WaitAsync(CancellationToken.None);
        try
        {
            if (call.IsEnded || call.Media is null)
            {
                // The caller left as the agent answered: hang the agent up, never bridge a dead call.
                leg.TryEnd();
                SendAgentBye(leg);
                await leg.Media.DisposeAsync();
                await _selector.ReleaseAsync(call.Id, answer.AgentId, "caller left", CancellationToken.None);
                return false;
            }

            _byAgentCallId[leg.SipCallId] = (call, leg);
            leg.Media.Start();
            await call.Prompts.CancelAsync();
            if (call.Stereo is null)
            {
                var path = Path.ChangeExtension(call.Recorder?.Path ?? Path.Combine(_options.RecordingsPath, call.Id.ToString("N") + ".wav"), null);
                path = path.Replace("-customer", "", StringComparison.Ordinal) + "-stereo.wav";
                call.Stereo = new StereoWavWriter(path, _time);
                call.StereoRecordingId = await _store.InsertStereoRecordingAsync(call.Id, path, CancellationToken.None);
            }

            var bridge = new MediaBridge(call.Media, leg.Media, call.Stereo);
            bridge.Start();
            call.Agent = leg;
            call.Bridge = bridge;
            call.SetState(CallState.Connected);
            call.AgentLegRowId = await _store.InsertAgentLegAsync(call.Id, leg.SipCallId, answer.AgentId, leg.RemoteTarget,
                agreement.Codec.ToString().ToUpperInvariant(), CancellationToken.None);
            await _store.SetConnectedAsync(call.Id, answer.AgentId, CancellationToken.None);
        }
        finally
        {
            call.Gate.Release();
        }

        await _states.ChangeAsync(answer.AgentId, AgentState.OnCall, [AgentState.Ringing], "answered call", call.Id, CancellationToken.None);
        _events.Publish(new CallAnswered(call.Id, _time.GetUtcNow(), answer.AgentId));
        LogBridged(call.Id, answer.AgentId, call.Media.Codec.ToString(), agreement.Codec.ToString());
        return true;
    }

    private AudioTap? SinkTap(Guid callId, CallLeg leg) => CallAudioTaps.For(_audioSinks, callId, leg);

    private void SendAgentBye(AgentLeg leg)
    {
        var port = _core.Transport(leg.Phone.Transport)?.LocalEndPoint.Port ?? 5060;
        _ = _core.SendRequestAsync(leg.CreateRequest("BYE", _core.AdvertisedHost, port), leg.Phone);
    }

    /// <summary>
    /// Ends one agent leg: stops the bridge, BYE unless the phone hung up, media and sinks closed, leg row ended, the
    /// agent into timed wrap-up. Callers hold <see cref="InboundCall.Gate"/> or own the leg alone.
    /// </summary>
    private async Task EndAgentLegAsync(InboundCall call, AgentLeg leg, MediaBridge? bridge, long? legRowId, string reason)
    {
        bridge?.Dispose();
        if (leg.TryEnd())
        {
            SendAgentBye(leg);
        }

        if (leg.Media is { } media)
        {
            await media.DisposeAsync();
            foreach (var sink in _audioSinks)
            {
                sink.OnLegEnded(call.Id, CallLeg.Agent);
            }
        }

        if (legRowId is { } row)
        {
            await _store.EndLegAsync(row, reason, CancellationToken.None);
        }

        await _states.EnterWrapUpAsync(leg.AgentId, _options.Acd.WrapUpSeconds, call.Id, CancellationToken.None);
        // Keep the lookup briefly so retransmitted BYEs from the phone are still answered.
        _ = Task.Delay(_core.Timers.Timeout / 2, _time).ContinueWith(_ => _byAgentCallId.TryRemove(leg.SipCallId, out var _), TaskScheduler.Default);
    }

    /// <summary>The agent side of <see cref="EndAsync"/>: the agent leg and the stereo recording.</summary>
    private async Task EndAgentSideAsync(InboundCall call, string reason)
    {
        await call.Gate.WaitAsync(CancellationToken.None);
        try
        {
            var (leg, bridge) = call.TakeAgent();
            if (leg is not null)
            {
                await EndAgentLegAsync(call, leg, bridge, call.AgentLegRowId, reason);
            }

            if (call.Stereo is { } stereo)
            {
                call.Stereo = null;
                stereo.Dispose();
                if (call.StereoRecordingId is { } rid)
                {
                    await _store.CompleteRecordingAsync(rid, (long)stereo.Duration.TotalMilliseconds, stereo.Bytes, CancellationToken.None);
                }
            }
        }
        finally
        {
            call.Gate.Release();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId} bridged to agent {AgentId} ({CustomerCodec} ↔ {AgentCodec})")]
    private partial void LogBridged(Guid callId, int agentId, string customerCodec, string agentCodec);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: agent {AgentId} answered with unusable SDP ({Reason}); hung up")]
    private partial void LogBadAgentAnswer(Guid callId, int agentId, string reason);


    [LoggerMessage(Level = LogLevel.Warning, Message = "Call {CallId}: no free RTP port for an agent leg; retrying")]
    private partial void LogNoPort(Guid callId);

    [LoggerMessage(Level = LogLevel.Error, Message = "ACD for call {CallId} failed; the call stays queued")]
    private partial void LogAcdFailed(Exception ex, Guid callId);
}
