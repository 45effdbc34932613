using CallCenter.Telephony.Calls;
using Dapper;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CallCenter.Telephony.Agents;

/// <summary>
/// Phones that vanish without unregistering: once an agent's last binding has expired, an available (or break,
/// wrap-up) agent is set offline, so the web's state matches what the ACD can reach. Agents in a call are left alone.
/// </summary>
public sealed partial class RegistrationSweeper(NpgsqlDataSource dataSource, CallEventBus events, TimeProvider time,
    ILogger<RegistrationSweeper> logger) : BackgroundService
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(30);

    /// <summary>One sweep (every node may run it: the statement is idempotent); returns the agents set offline.</summary>
    public async Task<IReadOnlyList<int>> SweepAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var ids = (await conn.QueryAsync<int>(new CommandDefinition(
            """
            WITH gone AS (
              UPDATE agents a SET state = 'offline', state_changed_at = now()
               WHERE a.state IN ('available', 'break', 'wrap_up')
                 AND NOT EXISTS (SELECT 1 FROM agent_registrations r WHERE r.agent_id = a.id AND r.expires_at > now())
              RETURNING a.id),
            logged AS (
              INSERT INTO agent_state_changes (agent_id, state, reason) SELECT id, 'offline', 'registration expired' FROM gone)
            SELECT id FROM gone
            """, cancellationToken: ct))).ToList();
        await conn.ExecuteAsync(new CommandDefinition(
            "DELETE FROM agent_registrations WHERE expires_at < now() - interval '1 hour'", cancellationToken: ct));
        foreach (var id in ids)
        {
            events.Publish(new AgentStateChanged(Guid.Empty, time.GetUtcNow(), id, AgentState.Offline));
        }

        return ids;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, time);
        try
        {
            while (await timer.WaitForNextTickAsync(stoppingToken))
            {
                try
                {
                    var gone = await SweepAsync(stoppingToken);
                    if (gone.Count > 0)
                    {
                        LogSwept(gone.Count);
                    }
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

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} agents set offline: their registrations expired")]
    private partial void LogSwept(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Registration sweep failed")]
    private partial void LogSweepFailed(Exception ex);
}
