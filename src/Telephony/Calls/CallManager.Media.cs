using CallCenter.Telephony.Media;
using CallCenter.Telephony.Sdp;

namespace CallCenter.Telephony.Calls;

/// <summary>The caller's media: RTP session, recording, live-transcription tap and prompts.</summary>
public sealed partial class CallManager
{
    private async Task StartMediaAsync(InboundCall call, SdpAgreement agreement, RtpPortLease lease, CancellationToken ct)
    {
        var folder = Path.Combine(_options.RecordingsPath, call.StartedAt.ToString("yyyy/MM/dd", System.Globalization.CultureInfo.InvariantCulture));
        Directory.CreateDirectory(folder);
        var path = Path.GetFullPath(Path.Combine(folder, call.Id.ToString("N") + "-customer.wav"));
        call.Recorder = new WavWriter(path);
        call.RecordingId = await _store.InsertLegWithRecordingAsync(call.Id, "customer", call.SipCallId, call.Invite.Request.Get("From"),
            agreement.Codec.ToString().ToUpperInvariant(), path, ct);
        call.Media = new RtpSession(lease, agreement, call.Remote.EndPoint.Address, call.Recorder,
            digit =>
            {
                call.Digits.Writer.TryWrite(digit);
                _events.Publish(new DtmfReceived(call.Id, _time.GetUtcNow(), digit));
            }, _mediaMetrics, _time);
        // The customer leg goes to live transcription as it is recorded; the agent leg joins when bridged.
        call.Media.Tap = CallAudioTaps.For(_audioSinks, call.Id, CallLeg.Customer);

        call.Media.Start();
    }

    /// <summary>Plays a prompt; a missing one is replaced by the default welcome only where <paramref name="orWelcome"/> (a
    /// caller about to be hung up must not hear "please hold").</summary>
    private async Task PlayAsync(InboundCall call, string prompt, CancellationToken token, bool orWelcome = true)
    {
        var samples = _prompts.Get(prompt) ?? (orWelcome ? _prompts.Get(_options.Calls.DefaultWelcomePrompt) : null);
        if (samples is null || call.Media is null)
        {
            return;
        }

        try
        {
            // Stopped by the call's end or by an agent answering (InboundCall.Prompts).
            using var linked = CancellationTokenSource.CreateLinkedTokenSource(token, call.Prompts.Token);
            await _player.PlayAsync(call.Media, samples, linked.Token);
        }
        catch (OperationCanceledException)
        {
            // The caller hung up during the prompt.
        }
    }

    /// <summary>Stops the call's media (returning its ports) and finishes its recording; safe to call twice.</summary>
    private async Task ReleaseMediaAsync(InboundCall call)
    {
        var (media, recorder) = call.TakeMedia();
        if (media is not null)
        {
            await media.DisposeAsync();
            foreach (var sink in _audioSinks)
            {
                sink.OnLegEnded(call.Id, CallLeg.Customer);
            }
        }

        if (recorder is not null)
        {
            recorder.Dispose();
            if (call.RecordingId is { } rid)
            {
                await _store.CompleteRecordingAsync(rid, (long)recorder.Duration.TotalMilliseconds, recorder.Bytes, CancellationToken.None);
            }
        }
    }
}
