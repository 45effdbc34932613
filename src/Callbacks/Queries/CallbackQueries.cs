using CallCenter.Callbacks.Execution;
using Dapper;
using Npgsql;

namespace CallCenter.Callbacks.Queries;

/// <summary>One row of a callback list (the supervisor page maps these to JSON).</summary>
public sealed record CallbackListItem(long CallbackId, long? AttemptId, string Kind, string State, int Priority, string Destination,
    DateTime DueAt, DateTime? NextAttemptAt, int AttemptNo, string? AttemptState, string? ClaimedBy);

public sealed record AttemptHistoryItem(long AttemptId, int AttemptNo, string State, DateTime NotBefore, string? SipCallId, string? ClaimedBy,
    DateTime? ClaimedAt, string? Outcome, string? Dtmf, int? SurveyScore, DateTime? OutcomeAt, string? ResolvedBy, string? Notes);

public sealed record KindSummary(string Kind, string State, int Count);

public sealed record AlertItem(long Id, string Kind, string SubjectType, long SubjectId, long? CallbackId, long? ComplaintId, DateTime? DueAt,
    string Message, DateTime CreatedAt);

/// <summary>
/// Read and manage callbacks for the web (due, overdue, in progress, unknown, history, alerts; reschedule,
/// cancel, resolve). Destinations are returned masked; the page never needs the full number.
/// </summary>
public sealed class CallbackQueries(NpgsqlDataSource db, OutcomeRecorder outcomes, TimeProvider time)
{
    private const string ListSelect = """
        SELECT c.id AS CallbackId, a.id AS AttemptId, c.kind AS Kind, c.state AS State, c.priority AS Priority,
               c.destination AS Destination, c.due_at AS DueAt, a.not_before AS NextAttemptAt,
               coalesce(a.attempt_no, 0) AS AttemptNo, a.state AS AttemptState, a.claimed_by AS ClaimedBy
        FROM callbacks c JOIN callback_attempts a ON a.callback_id = c.id
        """;

    /// <summary>Scheduled attempts due within <paramref name="horizon"/> from now (including those already due).</summary>
    public Task<IReadOnlyList<CallbackListItem>> DueAsync(TimeSpan horizon, int limit, CancellationToken ct) =>
        ListAsync(ListSelect + " WHERE a.state = 'scheduled' AND a.not_before <= @until ORDER BY a.not_before LIMIT @limit",
            new { until = time.GetUtcNow().Add(horizon), limit }, ct);

    /// <summary>Scheduled attempts more than <paramref name="grace"/> past their time: the silent-stall alarm of §3.9.</summary>
    public Task<IReadOnlyList<CallbackListItem>> OverdueAsync(TimeSpan grace, int limit, CancellationToken ct) =>
        ListAsync(ListSelect + " WHERE a.state = 'scheduled' AND a.not_before < @before ORDER BY a.not_before LIMIT @limit",
            new { before = time.GetUtcNow().Subtract(grace), limit }, ct);

    public Task<IReadOnlyList<CallbackListItem>> InProgressAsync(int limit, CancellationToken ct) =>
        ListAsync(ListSelect + " WHERE a.state = 'dialing' ORDER BY a.claimed_at LIMIT @limit", new { limit }, ct);

    /// <summary>Attempts with an unknown outcome, waiting for a person.</summary>
    public Task<IReadOnlyList<CallbackListItem>> UnknownAsync(int limit, CancellationToken ct) =>
        ListAsync(ListSelect + " WHERE a.state = 'unknown' ORDER BY a.claimed_at LIMIT @limit", new { limit }, ct);

    /// <summary>Requests per type and state, for the page's per-type counters.</summary>
    public async Task<IReadOnlyList<KindSummary>> SummaryAsync(CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<KindSummary>(new CommandDefinition(
            "SELECT kind AS Kind, state AS State, count(*)::int AS Count FROM callbacks GROUP BY kind, state ORDER BY kind, state", cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<AttemptHistoryItem>> HistoryAsync(long callbackId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<AttemptHistoryItem>(new CommandDefinition("""
            SELECT id AS AttemptId, attempt_no AS AttemptNo, state AS State, not_before AS NotBefore, sip_call_id AS SipCallId,
                   claimed_by AS ClaimedBy, claimed_at AS ClaimedAt, outcome AS Outcome, dtmf AS Dtmf, survey_score AS SurveyScore,
                   outcome_at AS OutcomeAt, resolved_by AS ResolvedBy, notes AS Notes
            FROM callback_attempts WHERE callback_id = @callbackId ORDER BY attempt_no
            """, new { callbackId }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<AlertItem>> OpenAlertsAsync(int limit, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<AlertItem>(new CommandDefinition("""
            SELECT id AS Id, kind AS Kind, subject_type AS SubjectType, subject_id AS SubjectId, callback_id AS CallbackId,
                   complaint_id AS ComplaintId, due_at AS DueAt, message AS Message, created_at AS CreatedAt
            FROM callback_alerts WHERE acknowledged_at IS NULL ORDER BY created_at LIMIT @limit
            """, new { limit }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>Moves the pending attempt of an open request to a new time (a new row; the old one is cancelled). Audited.</summary>
    public async Task<bool> RescheduleAsync(long callbackId, DateTimeOffset at, string actor, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var open = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT state FROM callbacks WHERE id = @callbackId FOR UPDATE", new { callbackId }, tx, cancellationToken: ct));
        if (open is not ("open" or "in_progress"))
        {
            return false;
        }

        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE callback_attempts SET state = 'cancelled', outcome_at = @now, notes = 'rescheduled' WHERE callback_id = @callbackId AND state = 'scheduled'",
            new { callbackId, now }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO callback_attempts (callback_id, attempt_no, not_before)
            SELECT @callbackId, max(attempt_no) + 1, @at FROM callback_attempts WHERE callback_id = @callbackId
            """, new { callbackId, at = at.ToUniversalTime() }, tx, cancellationToken: ct));
        await AuditAsync(conn, tx, actor, "callback.reschedule", callbackId, reason, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>Cancels an open request and its scheduled attempts (an attempt already dialing finishes). Audited.</summary>
    public async Task<bool> CancelAsync(long callbackId, string actor, string reason, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE callbacks SET state = 'cancelled', close_reason = @reason, closed_at = @now
            WHERE id = @callbackId AND state IN ('open','in_progress')
            """, new { callbackId, reason, now }, tx, cancellationToken: ct));
        if (n == 0)
        {
            return false;
        }

        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE callback_attempts SET state = 'cancelled', outcome_at = @now, notes = 'cancelled' WHERE callback_id = @callbackId AND state = 'scheduled'",
            new { callbackId, now }, tx, cancellationToken: ct));
        await AuditAsync(conn, tx, actor, "callback.cancel", callbackId, reason, ct);
        await tx.CommitAsync(ct);
        return true;
    }

    /// <summary>A person resolved an unknown attempt (from the CDR or by asking the customer); the policy then continues.</summary>
    public async Task<bool> ResolveUnknownAsync(long attemptId, DialResult result, string actor, CancellationToken ct)
    {
        ArgumentException.ThrowIfNullOrEmpty(actor);
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            var state = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
                "SELECT state FROM callback_attempts WHERE id = @attemptId", new { attemptId }, cancellationToken: ct));
            if (state != "unknown")
            {
                return false;
            }
        }

        return await outcomes.RecordAsync(attemptId, result, actor, ct);
    }

    private async Task<IReadOnlyList<CallbackListItem>> ListAsync(string sql, object args, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<CallbackListItem>(new CommandDefinition(sql, args, cancellationToken: ct));
        return rows.Select(r => r with { Destination = AttemptExecutor.Mask(r.Destination) }).ToList();
    }

    private static Task<int> AuditAsync(NpgsqlConnection conn, NpgsqlTransaction tx, string actor, string action, long callbackId, string reason, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO audit_log (actor, action, target_type, target_id, reason) VALUES (@actor, @action, 'callback', @target, @reason)
            """, new { actor, action, target = callbackId.ToString(System.Globalization.CultureInfo.InvariantCulture), reason }, tx, cancellationToken: ct));
}
