using CallCenter.Telephony.Acd;
using Microsoft.Extensions.Logging;

namespace CallCenter.Telephony.Calls;

/// <summary>
/// The queued step: the <see cref="QueueAttendant"/> keeps the caller company (position, hold audio, callback offer)
/// while the ACD rings agents. An agent answering stops the attendant (InboundCall.Prompts) before the bridge relays
/// audio; a callback chosen at the offer ends the call, which stops the ringing.
/// </summary>
public sealed partial class CallManager
{
    private async Task RunQueueAsync(InboundCall call)
    {
        var prompts = call.RenewPrompts();
        using var waiting = CancellationTokenSource.CreateLinkedTokenSource(call.Lifetime.Token, prompts.Token);
        var attendant = Task.Run(() => WaitInQueueAsync(call, waiting.Token), CancellationToken.None);
        if (_options.Acd.Enabled)
        {
            await RunAcdAsync(call);
            await waiting.CancelAsync(); // bridged or ended: nothing more to announce
        }

        await attendant;
    }

    /// <param name="call">The queued call.</param>
    /// <param name="ct">Ends the wait: the call's lifetime, or linked with "an agent answered" when ringing races the wait.</param>
    private async Task WaitInQueueAsync(InboundCall call, CancellationToken ct)
    {
        using var scope = _logger.BeginScope(new Dictionary<string, object> { ["CallId"] = call.Id });
        try
        {
            var exit = await _attendant.AttendAsync(call, ct);
            if (exit == QueueExit.CallbackChosen && !call.IsEnded)
            {
                _events.Publish(new QueueCallbackRequested(call.Id, _time.GetUtcNow(), call.Line?.Id ?? 0, call.Caller));
                await EndAsync(call, "callback_offered", "system", "caller chose a callback (DTMF 1)", sendBye: true);
            }
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The call ended (caller left, timeout, shutdown) or an agent took it: whoever did so recorded it.
        }
#pragma warning disable CA1031 // a failing attendant must leave the caller in the queue, not crash the process
        catch (Exception ex)
#pragma warning restore CA1031
        {
            LogQueueFailed(ex);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue attendant failed; the caller waits on without announcements")]
    private partial void LogQueueFailed(Exception ex);
}
