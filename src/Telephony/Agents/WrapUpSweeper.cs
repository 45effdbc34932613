using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CallCenter.Telephony.Agents;

/// <summary>
/// Ends timed wrap-ups (agents.wrap_up_until) every few seconds, so an agent becomes available again even when
/// the node that bridged their call restarted in between.
/// </summary>
public sealed partial class WrapUpSweeper(AgentStates states, TimeProvider time, ILogger<WrapUpSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(1);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    await states.EndDueWrapUpsAsync(stoppingToken);
                }
                catch (NpgsqlException ex)
                {
                    LogSweepFailed(ex); // the next tick tries again
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Wrap-up sweep failed")]
    private partial void LogSweepFailed(Exception ex);
}
