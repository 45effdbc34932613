using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Outbound;

/// <summary>The answered part of an outbound call: media, recording, the automated script, BYE and the row.</summary>
public sealed partial class OutboundDialer
{
    private async Task<OutboundResult> RunAnsweredAsync(Guid id, OutboundRequest request, SipRequest invite, SipResponse ok, SipRemote remote,
        RtpPortLease lease, AgentSide? agent, CancellationToken ct)
    {
        var call = new OutboundCall(id, invite, ok, remote, _time.GetUtcNow());
        if (!OutboundSdp.TryReadAnswer(ok.Body, out var agreement, out var sdpError))
        {
            lease.Dispose();
            if (agent is not null)
            {
                await EndAgentAsync(id, agent, wrapUp: false);
            }

            await SendByeAsync(call.CreateBye(_core.AdvertisedHost, LocalSipPort), remote);
            var why = "no acceptable media in the answer: " + sdpError;
            await _store.EndAsync(id, "failed", "system", why, call.AnsweredAt, CancellationToken.None);
            _events.Publish(new CallEnded(id, _time.GetUtcNow(), "failed", "system", why));
            return new OutboundResult(OutboundOutcome.Failed, ok.StatusCode, null, id, why);
        }

        _dialogs.TryAdd(call);
        if (agent is not null)
        {
            return await RunBridgedAsync(call, agent, agreement, lease, ct);
        }

        string? digit = null;
        var reason = "script finished";
        try
        {
            await StartMediaAsync(call, agreement, lease, ct);
            await _store.SetStateAsync(id, "announcing", ct);
            _events.Publish(new OutboundCallSettled(id, _time.GetUtcNow(), "answered", ok.StatusCode));
            _events.Publish(new CallAnswered(id, _time.GetUtcNow(), null));
            LogAnswered(id);
            using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct, call.Hangup.Token);
            limit.CancelAfter(TimeSpan.FromSeconds(_options.MaxCallSeconds));
            try
            {
                digit = request.Script is { } script ? await RunScriptAsync(call, script, limit.Token) : null;
            }
            catch (OperationCanceledException)
            {
                reason = call.RemoteHungUp ? "BYE from callee" : ct.IsCancellationRequested ? "cancelled by the caller of the dialer" : "maximum call duration";
            }
        }
#pragma warning disable CA1031 // an answered call must always be hung up and recorded, whatever failed
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogScriptFailed(ex, id);
            reason = "failed: " + ex.GetType().Name;
        }

        await EndAnsweredAsync(call, reason);
        return new OutboundResult(OutboundOutcome.Answered, ok.StatusCode, digit, id, reason);
    }

    private async Task StartMediaAsync(OutboundCall call, Sdp.SdpAgreement agreement, RtpPortLease lease, CancellationToken ct)
    {
        try
        {
            var folder = Path.Combine(_telephony.RecordingsPath, call.AnsweredAt.ToString("yyyy/MM/dd", System.Globalization.CultureInfo.InvariantCulture));
            Directory.CreateDirectory(folder);
            var path = Path.GetFullPath(Path.Combine(folder, call.Id.ToString("N") + "-customer.wav"));
            call.Recorder = new WavWriter(path);
            call.RecordingId = await _store.InsertLegWithRecordingAsync(call.Id, "customer", call.SipCallId, call.Answer.Get("To"),
                agreement.Codec.ToString().ToUpperInvariant(), path, ct);
        }
        catch
        {
            lease.Dispose();
            throw;
        }

        var id = call.Id;
        call.Media = new RtpSession(lease, agreement, call.Remote.EndPoint.Address, call.Recorder,
            d =>
            {
                call.OnDigit(d);
                _events.Publish(new DtmfReceived(id, _time.GetUtcNow(), d));
            }, _mediaMetrics, _time);
        call.Media.Start();
    }

    /// <summary>Prompt (keys interrupt it), wait for a key, one re-prompt, goodbye. Returns the accepted key or null.</summary>
    private async Task<string?> RunScriptAsync(OutboundCall call, OutboundScript script, CancellationToken ct)
    {
        for (var round = 0; round < 2; round++)
        {
            if (round == 1 && script.NoInputPrompt is { } sorry)
            {
                await PlayAsync(call, sorry, interruptible: false, ct);
            }

            var key = await PlayAsync(call, script.Prompt, interruptible: true, ct)
                ?? await NextDigitAsync(call, TimeSpan.FromSeconds(_options.DigitTimeoutSeconds), ct);
            if (key is { } k && script.ValidDigits.Contains(k, StringComparison.Ordinal))
            {
                await PlayGoodbyeAsync(call, script, ct);
                return k.ToString();
            }
        }

        await PlayGoodbyeAsync(call, script, ct);
        return null;
    }

    private async Task PlayGoodbyeAsync(OutboundCall call, OutboundScript script, CancellationToken ct)
    {
        if (script.GoodbyePrompt is { } bye)
        {
            await PlayAsync(call, bye, interruptible: false, ct);
        }
    }

    /// <summary>Plays a prompt; when interruptible, a key pressed meanwhile stops it and is returned.</summary>
    private async Task<char?> PlayAsync(OutboundCall call, string prompt, bool interruptible, CancellationToken ct)
    {
        var samples = _prompts.Get(prompt);
        if (samples is null || call.Media is null)
        {
            return null; // a missing prompt is logged by the library; the call goes on without it
        }

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var playing = _player.PlayAsync(call.Media, samples, stop.Token);
        if (!interruptible)
        {
            await playing;
            return null;
        }

        var key = call.Digits.WaitToReadAsync(stop.Token).AsTask();
        var first = await Task.WhenAny(playing, key);
        if (first == key && call.Digits.TryRead(out var digit))
        {
            await stop.CancelAsync();
            await playing.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
            return digit;
        }

        await stop.CancelAsync();
        await ((Task)key).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        await playing; // rethrows a cancellation of the call itself
        return null;
    }

    private static async Task<char?> NextDigitAsync(OutboundCall call, TimeSpan timeout, CancellationToken ct)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(ct);
        wait.CancelAfter(timeout);
        try
        {
            return await call.Digits.ReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return null; // silence: re-prompt or give up
        }
    }

    private async Task EndAnsweredAsync(OutboundCall call, string reason, string? endedByAgent = null)
    {
        try
        {
            if (!call.RemoteHungUp)
            {
                await SendByeAsync(call.CreateBye(_core.AdvertisedHost, LocalSipPort), call.Remote);
            }

            var media = call.Media;
            call.Media = null;
            if (media is not null)
            {
                await media.DisposeAsync();
            }

            if (call.Recorder is { } recorder)
            {
                recorder.Dispose();
                if (call.RecordingId is { } rid)
                {
                    await _store.CompleteRecordingAsync(rid, (long)recorder.Duration.TotalMilliseconds, recorder.Bytes, CancellationToken.None);
                }
            }

            var endedBy = call.RemoteHungUp ? "callee" : endedByAgent ?? "system";
            await _store.EndAsync(call.Id, "completed", endedBy, reason, call.AnsweredAt, CancellationToken.None);
            _events.Publish(new CallEnded(call.Id, _time.GetUtcNow(), "completed", endedBy, reason));
            LogEnded(call.Id, endedBy, reason);
        }
#pragma warning disable CA1031 // clean-up failures are logged; the next start marks the row interrupted if it stayed open
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogEndFailed(ex, call.Id);
        }
        finally
        {
            _dialogs.Remove(call);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound call {CallId} answered")]
    private partial void LogAnswered(Guid callId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbound call {CallId} ended by {EndedBy}: {Reason}")]
    private partial void LogEnded(Guid callId, string endedBy, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbound call {CallId}: the script failed; hanging up")]
    private partial void LogScriptFailed(Exception ex, Guid callId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Ending outbound call {CallId} failed")]
    private partial void LogEndFailed(Exception ex, Guid callId);
}
