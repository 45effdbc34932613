using CallCenter.Telephony.Calls;
using Dapper;
using Npgsql;

namespace CallCenter.Telephony.Agents;

/// <summary>Agent states as the agents table holds them (its CHECK constraint lists the same values).</summary>
public static class AgentState
{
    public const string Offline = "offline";
    public const string Available = "available";
    public const string Ringing = "ringing";
    public const string OnCall = "on_call";
    public const string WrapUp = "wrap_up";
    public const string Break = "break";
}

/// <summary>
/// Changes an agent's state in the database (agents.state + one agent_state_changes row, in one statement) and
/// publishes <see cref="AgentStateChanged"/>. A change only applies when the current state is one of
/// <c>from</c>, so a registration never drags an agent out of a call or a break.
/// </summary>
public sealed class AgentStates(NpgsqlDataSource dataSource, CallEventBus events, TimeProvider time)
{
    /// <summary>True when the state changed; <paramref name="callId"/> is Guid.Empty for changes outside a call.</summary>
    public async Task<bool> ChangeAsync(int agentId, string to, string[] from, string reason, Guid callId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var changed = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            WITH moved AS (
              UPDATE agents SET state = @to, state_changed_at = now()
               WHERE id = @agentId AND state = ANY(@from) AND state <> @to
              RETURNING id)
            INSERT INTO agent_state_changes (agent_id, state, reason)
            SELECT id, @to, @reason FROM moved
            RETURNING 1
            """, new { agentId, to, from, reason }, cancellationToken: ct));
        if (changed == 1)
        {
            events.Publish(new AgentStateChanged(callId, time.GetUtcNow(), agentId, to));
        }

        return changed == 1;
    }

    /// <summary>The agent's bridged call ended: wrap_up until <paramref name="until"/> (from on_call or ringing only).</summary>
    public async Task<bool> EnterWrapUpAsync(int agentId, DateTimeOffset until, Guid callId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var changed = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            WITH moved AS (
              UPDATE agents SET state = 'wrap_up', state_changed_at = now(), wrap_up_until = @until, last_call_ended_at = now()
               WHERE id = @agentId AND state IN ('on_call', 'ringing')
              RETURNING id)
            INSERT INTO agent_state_changes (agent_id, state, reason)
            SELECT id, 'wrap_up', 'call ' || @callId::text || ' ended' FROM moved
            RETURNING 1
            """, new { agentId, until, callId }, cancellationToken: ct));
        if (changed == 1)
        {
            events.Publish(new AgentStateChanged(callId, time.GetUtcNow(), agentId, AgentState.WrapUp));
        }

        return changed == 1;
    }

    /// <summary>Agents whose timed wrap-up is over become available (any node may run it: idempotent); returns them.</summary>
    public async Task<IReadOnlyList<int>> EndDueWrapUpsAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var ids = (await conn.QueryAsync<int>(new CommandDefinition(
            """
            WITH done AS (
              UPDATE agents SET state = 'available', state_changed_at = now(), wrap_up_until = NULL
               WHERE state = 'wrap_up' AND wrap_up_until IS NOT NULL AND wrap_up_until <= now()
              RETURNING id),
            logged AS (
              INSERT INTO agent_state_changes (agent_id, state, reason) SELECT id, 'available', 'wrap-up time over' FROM done)
            SELECT id FROM done
            """, cancellationToken: ct))).ToList();
        foreach (var id in ids)
        {
            events.Publish(new AgentStateChanged(Guid.Empty, time.GetUtcNow(), id, AgentState.Available));
        }

        return ids;
    }
}
