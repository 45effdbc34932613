using CallCenter.Telephony.Calls;
using Dapper;
using Npgsql;

namespace CallCenter.Agent.Web.Desk;

public sealed record DeskCall(Guid CallId, int AgentId, string State, string? CallerNumber, string DialedNumber,
    int? ServiceLineId, string LineCode, long? CustomerId, DateTime RangAt, DateTime? AnsweredAt,
    DateTime? EndedAt, string? Disposition, string? WrapUpCode);

/// <summary>What the previous owner of a re-routed call must be told, and the desk row now.</summary>
public sealed record RingResult(DeskCall Call, int? PreviousAgentId);

/// <summary>
/// agent_desk_calls: each agent's ringing or active call, written from call events so a page that reconnects
/// (on any node) recovers the pop it may have missed. One agent per call; one open call per agent.
/// </summary>
public sealed class DeskStore(NpgsqlDataSource db)
{
    private const string Columns = """
        call_id AS CallId, agent_id AS AgentId, state, caller_number AS CallerNumber, dialed_number AS DialedNumber,
        service_line_id AS ServiceLineId, line_code AS LineCode, customer_id AS CustomerId, rang_at AS RangAt,
        answered_at AS AnsweredAt, ended_at AS EndedAt, disposition, wrap_up_code AS WrapUpCode
        """;

    public async Task<RingResult> RingAsync(AgentRinging e, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var previous = await conn.QuerySingleOrDefaultAsync<int?>(new CommandDefinition(
            "SELECT agent_id FROM agent_desk_calls WHERE call_id = @CallId FOR UPDATE", new { e.CallId }, tx, cancellationToken: ct));
        // An agent has one call on the desk: a new ring closes whatever was left open.
        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE agent_desk_calls SET closed_at = now(), state = CASE WHEN state = 'ringing' THEN 'missed' ELSE state END
             WHERE agent_id = @AgentId AND closed_at IS NULL AND call_id <> @CallId
            """, new { e.AgentId, e.CallId }, tx, cancellationToken: ct));
        // An outbound callback knows its customer by id (calls row or callback); the number is the fallback.
        var customerId = await conn.QueryFirstOrDefaultAsync<long?>(new CommandDefinition("""
            SELECT COALESCE(
                (SELECT COALESCE(c.customer_id, cb.customer_id) FROM calls c
                   LEFT JOIN callback_attempts a ON a.id = c.callback_attempt_id
                   LEFT JOIN callbacks cb ON cb.id = a.callback_id
                  WHERE c.id = @CallId),
                (SELECT customer_id FROM customer_phones WHERE number = @n ORDER BY is_preferred DESC, customer_id LIMIT 1))
            """, new { e.CallId, n = e.CallerNumber }, tx, cancellationToken: ct));
        var row = await conn.QuerySingleAsync<DeskCall>(new CommandDefinition($"""
            INSERT INTO agent_desk_calls (call_id, agent_id, state, caller_number, dialed_number, service_line_id, line_code,
                                          customer_id, rang_at)
            VALUES (@CallId, @AgentId, 'ringing', @CallerNumber, @DialedNumber, @ServiceLineId, @LineCode, @customerId, @At)
            ON CONFLICT (call_id) DO UPDATE SET agent_id = EXCLUDED.agent_id, state = 'ringing', rang_at = EXCLUDED.rang_at,
                   customer_id = COALESCE(agent_desk_calls.customer_id, EXCLUDED.customer_id), closed_at = NULL
            RETURNING {Columns}
            """, new { e.CallId, e.AgentId, e.CallerNumber, e.DialedNumber, ServiceLineId = (int?)e.ServiceLineId, e.LineCode, customerId, At = e.At.UtcDateTime },
            tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        return new RingResult(row, previous is { } p && p != e.AgentId ? p : null);
    }

    public async Task<DeskCall?> AnsweredAsync(CallAnswered e, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<DeskCall>(new CommandDefinition($"""
            UPDATE agent_desk_calls SET state = 'connected', answered_at = @At
             WHERE call_id = @CallId AND (@AgentId::int IS NULL OR agent_id = @AgentId) AND closed_at IS NULL
            RETURNING {Columns}
            """, new { e.CallId, At = e.At.UtcDateTime, e.AgentId }, cancellationToken: ct));
    }

    public async Task<DeskCall?> EndedAsync(CallEnded e, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        // A call that ends while ringing is missed and leaves nothing to wrap up.
        return await conn.QuerySingleOrDefaultAsync<DeskCall>(new CommandDefinition($"""
            UPDATE agent_desk_calls
               SET state = CASE WHEN state = 'ringing' THEN 'missed' ELSE 'ended' END,
                   closed_at = CASE WHEN state = 'ringing' THEN now() ELSE closed_at END,
                   ended_at = @At, disposition = @Disposition
             WHERE call_id = @CallId
            RETURNING {Columns}
            """, new { e.CallId, At = e.At.UtcDateTime, e.Disposition }, cancellationToken: ct));
    }

    public async Task<DeskCall?> CurrentAsync(int agentId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QueryFirstOrDefaultAsync<DeskCall>(new CommandDefinition($"""
            SELECT {Columns} FROM agent_desk_calls WHERE agent_id = @agentId AND closed_at IS NULL
             ORDER BY rang_at DESC LIMIT 1
            """, new { agentId }, cancellationToken: ct));
    }

    public async Task<DeskCall?> GetAsync(Guid callId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QuerySingleOrDefaultAsync<DeskCall>(new CommandDefinition(
            $"SELECT {Columns} FROM agent_desk_calls WHERE call_id = @callId", new { callId }, cancellationToken: ct));
    }

    /// <summary>Whether the call is (or was) this agent's: on the desk or in the calls table.</summary>
    public async Task<bool> IsAgentsCallAsync(int agentId, Guid callId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM agent_desk_calls WHERE call_id = @callId AND agent_id = @agentId)
                OR EXISTS (SELECT 1 FROM calls WHERE id = @callId AND agent_id = @agentId)
            """, new { agentId, callId }, cancellationToken: ct));
    }

    /// <summary>Customers an agent may open: those of their open desk call(s).</summary>
    public async Task<bool> IsTalkingToAsync(int agentId, long customerId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM agent_desk_calls d
                            WHERE d.agent_id = @agentId AND d.closed_at IS NULL
                              AND (d.customer_id = @customerId OR EXISTS (SELECT 1 FROM customer_phones p
                                    WHERE p.customer_id = @customerId AND p.number = d.caller_number)))
            """, new { agentId, customerId }, cancellationToken: ct));
    }

    public async Task<DeskCall?> WrapUpAsync(int agentId, Guid callId, string code, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var row = await conn.QuerySingleOrDefaultAsync<DeskCall>(new CommandDefinition($"""
            UPDATE agent_desk_calls SET wrap_up_code = @code, closed_at = now()
             WHERE call_id = @callId AND agent_id = @agentId
            RETURNING {Columns}
            """, new { agentId, callId, code }, tx, cancellationToken: ct));
        if (row is not null)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE calls SET wrap_up_code = @code WHERE id = @callId", new { callId, code }, tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        return row;
    }

    public async Task LinkCustomerAsync(Guid callId, int agentId, long customerId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE agent_desk_calls SET customer_id = @customerId WHERE call_id = @callId AND agent_id = @agentId",
            new { callId, agentId, customerId }, cancellationToken: ct));
    }

    public async Task<bool> IsCustomerNumberAsync(long customerId, string number, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM customer_phones WHERE customer_id = @customerId AND number = @number)",
            new { customerId, number }, cancellationToken: ct));
    }
}
