using Dapper;
using Npgsql;

namespace CallCenter.Telephony.Calls;

/// <summary>Writes the calls, call_legs and recordings rows at every step of a call (the database is the truth).</summary>
public sealed class CallStore(NpgsqlDataSource dataSource)
{
    /// <summary>False when this SIP Call-ID already has an inbound call row (a replayed or looped INVITE).</summary>
    public async Task<bool> InsertInboundAsync(Guid id, string sipCallId, string? caller, string? callerRaw, string? dialed, int? serviceLineId,
        string node, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO calls (id, direction, sip_call_id, caller_number, caller_raw, dialed_number, service_line_id, node, state)
            VALUES (@id, 'inbound', @sipCallId, @caller, @callerRaw, @dialed, @serviceLineId, @node, 'setup')
            ON CONFLICT (sip_call_id, direction) DO NOTHING
            """, new { id, sipCallId, caller, callerRaw, dialed, serviceLineId, node }, cancellationToken: ct)) == 1;
    }

    public async Task SetStateAsync(Guid id, string state, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            """
            UPDATE calls SET state = @state,
                   answered_at = CASE WHEN @state = 'announcing' THEN coalesce(answered_at, now()) ELSE answered_at END,
                   queued_at = CASE WHEN @state = 'queued' THEN coalesce(queued_at, now()) ELSE queued_at END
             WHERE id = @id AND ended_at IS NULL
            """, new { id, state }, cancellationToken: ct));
    }

    /// <summary>A transfer moved the call to another line and queue: figures and pops follow the new line.</summary>
    public async Task SetLineAsync(Guid id, int serviceLineId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE calls SET service_line_id = @serviceLineId WHERE id = @id AND ended_at IS NULL",
            new { id, serviceLineId }, cancellationToken: ct));
    }

    /// <summary>Ends the call once: a second end (BYE racing a timeout) changes nothing.</summary>
    public async Task<bool> EndAsync(Guid id, string disposition, string endedBy, string? reason, DateTimeOffset? answeredAt, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        var n = await conn.ExecuteAsync(new CommandDefinition(
            """
            UPDATE calls SET state = 'ended', ended_at = now(), disposition = @disposition, ended_by = @endedBy, end_reason = @reason,
                   answered_at = coalesce(answered_at, @answeredAt)
             WHERE id = @id AND ended_at IS NULL
            """, new { id, disposition, endedBy, reason, answeredAt }, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE call_legs SET ended_at = now(), end_reason = @reason WHERE call_id = @id AND ended_at IS NULL",
            new { id, reason = reason ?? disposition }, cancellationToken: ct));
        return n == 1;
    }

    /// <summary>The leg and its recording row in one round trip (a data-modifying CTE); returns the recording id.</summary>
    public async Task<long> InsertLegWithRecordingAsync(Guid callId, string role, string sipCallId, string? remoteUri, string codec, string path,
        CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            WITH leg AS (
                INSERT INTO call_legs (call_id, role, sip_call_id, remote_uri, codec, answered_at)
                VALUES (@callId, @role, @sipCallId, @remoteUri, @codec, now()))
            INSERT INTO recordings (call_id, leg_role, path) VALUES (@callId, @role, @path) RETURNING id
            """, new { callId, role, sipCallId, remoteUri, codec, path }, cancellationToken: ct));
    }

    public async Task CompleteRecordingAsync(long id, long durationMs, long bytes, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE recordings SET duration_ms = @durationMs, bytes = @bytes, complete = true WHERE id = @id",
            new { id, durationMs, bytes }, cancellationToken: ct));
    }

    /// <summary>Calls this node left open when it died are marked interrupted; returns their unfinished recordings.</summary>
    public async Task<(int Calls, IReadOnlyList<(long Id, string Path)> Recordings)> MarkInterruptedAsync(string node, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var ids = (await conn.QueryAsync<Guid>(new CommandDefinition(
            """
            UPDATE calls SET state = 'ended', ended_at = now(), disposition = 'interrupted', ended_by = 'system',
                   end_reason = 'node stopped mid-call; marked at next start'
             WHERE node = @node AND ended_at IS NULL RETURNING id
            """, new { node }, tx, cancellationToken: ct))).ToArray();
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE call_legs SET ended_at = now(), end_reason = 'interrupted' WHERE call_id = ANY(@ids) AND ended_at IS NULL",
            new { ids }, tx, cancellationToken: ct));
        // Their agents would stay on_call (or ringing) for ever: a wrap-up that ends at once, so the sweep frees them.
        await conn.ExecuteAsync(new CommandDefinition(
            """
            WITH stuck AS (
              UPDATE agents a SET state = 'wrap_up', state_changed_at = now(), wrap_up_until = now()
               WHERE a.state IN ('on_call', 'ringing')
                 AND (a.id IN (SELECT agent_id FROM calls WHERE id = ANY(@ids))
                      OR a.id IN (SELECT agent_id FROM agent_state_changes WHERE reason = ANY(@reasons)))
              RETURNING a.id)
            INSERT INTO agent_state_changes (agent_id, state, reason) SELECT id, 'wrap_up', 'call interrupted' FROM stuck
            """, new { ids, reasons = ids.Select(i => "call " + i.ToString()).ToArray() }, tx, cancellationToken: ct));
        var recordings = (await conn.QueryAsync<(long, string)>(new CommandDefinition(
            "SELECT id, path FROM recordings WHERE call_id = ANY(@ids) AND NOT complete", new { ids }, tx, cancellationToken: ct))).ToList();
        await tx.CommitAsync(ct);
        return (ids.Length, recordings);
    }

    /// <summary>An agent answered: the call is connected to them (calls.agent_id, agent_answered_at).</summary>
    public async Task SetConnectedAsync(Guid id, int agentId, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            """
            UPDATE calls SET state = 'connected', agent_id = @agentId, agent_answered_at = coalesce(agent_answered_at, now())
             WHERE id = @id AND ended_at IS NULL
            """, new { id, agentId }, cancellationToken: ct));
    }

    /// <summary>The agent leg's row (answered now); returns its id so it can be ended alone (transfer).</summary>
    public async Task<long> InsertAgentLegAsync(Guid callId, string sipCallId, int agentId, string remoteUri, string codec, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            """
            INSERT INTO call_legs (call_id, role, sip_call_id, agent_id, remote_uri, codec, answered_at)
            VALUES (@callId, 'agent', @sipCallId, @agentId, @remoteUri, @codec, now()) RETURNING id
            """, new { callId, sipCallId, agentId, remoteUri, codec }, cancellationToken: ct));
    }

    public async Task EndLegAsync(long legId, string reason, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE call_legs SET ended_at = now(), end_reason = @reason WHERE id = @legId AND ended_at IS NULL",
            new { legId, reason }, cancellationToken: ct));
    }

    /// <summary>The two-channel call recording (left customer, right agent); returns its id.</summary>
    public async Task<long> InsertStereoRecordingAsync(Guid callId, string path, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<long>(new CommandDefinition(
            "INSERT INTO recordings (call_id, leg_role, path, channels) VALUES (@callId, 'stereo', @path, 2) RETURNING id",
            new { callId, path }, cancellationToken: ct));
    }
}
