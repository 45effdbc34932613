namespace CallCenter.Telephony.Calls;

/// <summary>One loop for all calls (not a timer per call): RTP inactivity and maximum duration end calls with a BYE.</summary>
public sealed partial class CallManager
{
    private async Task WatchdogAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), _time);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
            {
                var now = _time.GetUtcNow();
                foreach (var call in _byCallId.Values)
                {
                    if (call.IsEnded || call.AnsweredAt is null || call.Media is null)
                    {
                        continue;
                    }

                    // Prompts are bounded in length, so silence from the caller only counts once the prompt is over; a
                    // held call may be silent (a=inactive) for as long as the hold lasts (maximum duration still applies).
                    if (call.State is not (CallState.Announcing or CallState.Held)
                        && call.Media.SinceLastPacket > TimeSpan.FromSeconds(_options.Calls.RtpInactivitySeconds))
                    {
                        _ = EndAsync(call, "failed", "system", "RTP inactivity timeout", sendBye: true);
                    }
                    else if (now - call.AnsweredAt.Value > TimeSpan.FromSeconds(_options.Calls.MaxDurationSeconds))
                    {
                        _ = EndAsync(call, "abandoned", "system", "maximum call duration", sendBye: true);
                    }
                }
            }
        }
        catch (OperationCanceledException)
        {
        }
    }
}
