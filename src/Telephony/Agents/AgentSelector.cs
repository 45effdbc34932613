using CallCenter.Telephony.Calls;
using Dapper;
using Npgsql;

namespace CallCenter.Telephony.Agents;

/// <summary>
/// The ACD's choice of agent for a service line: available, skilled for the line, with at least one live binding,
/// longest idle first. The claim moves the agent to "ringing" in the same statement (row lock, SKIP LOCKED), so two
/// calls on any nodes never ring the same agent.
/// </summary>
public sealed class AgentSelector(NpgsqlDataSource dataSource, AgentStates states, CallEventBus events, TimeProvider time)
{
    private static readonly string[] WhenRinging = [AgentState.Ringing];

    /// <summary>Claims the next agent for the call, skipping <paramref name="excluded"/> (agents that let it ring out); null when none.</summary>
    public async Task<int?> ClaimAsync(Guid callId, int serviceLineId, IReadOnlyCollection<int> excluded, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(excluded);
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        // state_changed_at is when the agent became available (refreshes of a registration do not touch it), i.e. idle since.
        var agentId = await conn.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            """
            WITH pick AS (
              SELECT a.id FROM agents a
                JOIN agent_skills s ON s.agent_id = a.id AND s.service_line_id = @serviceLineId
               WHERE a.active AND a.state = 'available' AND a.id <> ALL(@excluded)
                 AND EXISTS (SELECT 1 FROM agent_registrations r WHERE r.agent_id = a.id AND r.expires_at > now())
               ORDER BY a.state_changed_at, a.id
               LIMIT 1
               FOR UPDATE OF a SKIP LOCKED),
            moved AS (
              UPDATE agents SET state = 'ringing', state_changed_at = now() FROM pick WHERE agents.id = pick.id RETURNING agents.id),
            logged AS (
              INSERT INTO agent_state_changes (agent_id, state, reason) SELECT id, 'ringing', 'call ' || @callId::text FROM moved)
            SELECT id FROM moved
            """, new { serviceLineId, excluded = excluded.ToArray(), callId }, cancellationToken: ct));
        if (agentId is { } id)
        {
            events.Publish(new AgentStateChanged(callId, time.GetUtcNow(), id, AgentState.Ringing));
        }

        return agentId;
    }

    /// <summary>The active agent a transfer target names (login or SIP user name); null when none.</summary>
    public async Task<int?> FindAgentAsync(string name, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "SELECT id FROM agents WHERE active AND (username = @name OR sip_username = @name) ORDER BY id LIMIT 1",
            new { name }, cancellationToken: ct));
    }

    /// <summary>Claims one named agent (a transfer target) if available, registered and active; false otherwise.</summary>
    public async Task<bool> ClaimAgentAsync(Guid callId, int agentId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var claimed = await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            WITH moved AS (
              UPDATE agents a SET state = 'ringing', state_changed_at = now()
               WHERE a.id = @agentId AND a.active AND a.state = 'available'
                 AND EXISTS (SELECT 1 FROM agent_registrations r WHERE r.agent_id = a.id AND r.expires_at > now())
              RETURNING a.id),
            logged AS (
              INSERT INTO agent_state_changes (agent_id, state, reason) SELECT id, 'ringing', 'transfer of call ' || @callId::text FROM moved)
            SELECT count(*)::int FROM moved
            """, new { agentId, callId }, cancellationToken: ct));
        if (claimed == 1)
        {
            events.Publish(new AgentStateChanged(callId, time.GetUtcNow(), agentId, AgentState.Ringing));
        }

        return claimed == 1;
    }

    /// <summary>The agent did not answer in time (or the caller left): back to available, at the end of the idle order.</summary>
    public Task<bool> ReleaseAsync(Guid callId, int agentId, string reason, CancellationToken ct) =>
        states.ChangeAsync(agentId, AgentState.Available, WhenRinging, reason, callId, ct);

    /// <summary>Agents of the line who could take a call now (for queue announcements and wallboards).</summary>
    public async Task<int> AvailableCountAsync(int serviceLineId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<int>(new CommandDefinition(
            """
            SELECT count(*)::int FROM agents a JOIN agent_skills s ON s.agent_id = a.id AND s.service_line_id = @serviceLineId
             WHERE a.active AND a.state = 'available'
               AND EXISTS (SELECT 1 FROM agent_registrations r WHERE r.agent_id = a.id AND r.expires_at > now())
            """, new { serviceLineId }, cancellationToken: ct));
    }
}
