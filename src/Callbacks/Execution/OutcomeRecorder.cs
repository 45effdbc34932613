using CallCenter.Callbacks.Policies;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CallCenter.Callbacks.Execution;

/// <summary>
/// Writes how an attempt ended and what follows from it: closing the request, a new attempt row by policy,
/// or a supervisor alert. Writes only while the attempt is still 'dialing' (or 'unknown', which a late or
/// reconciled outcome resolves), so a duplicate report changes nothing.
/// </summary>
public sealed partial class OutcomeRecorder(NpgsqlDataSource db, PolicyCatalog catalog, TimeProvider time, CallbacksMetrics metrics, ILogger<OutcomeRecorder> logger)
{
    // Survey kinds read the first digit as the 1–5 score (000 L82 "打分", §13 #13); 9 asks to be called later.
    private static readonly HashSet<string> SurveyKinds = ["repair_followup", "complaint_followup"];

    /// <summary>Ends a claimed attempt without dialing (a dial-time check) and applies its consequence.</summary>
    public async Task EndAsync(ClaimedAttempt a, string state, string outcome, string? callbackState, string? closeReason, DateTimeOffset? next, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(a);
        var now = time.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var ended = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE callback_attempts SET state = @state, outcome = @outcome, outcome_at = @now, notes = @closeReason WHERE id = @Id AND state = 'dialing'",
            new { a.Id, state, outcome, now, closeReason }, tx, cancellationToken: ct));
        if (ended == 1)
        {
            await CloseAsync(conn, tx, a.CallbackId, callbackState, closeReason, now, ct);
            if (next is { } at)
            {
                await ScheduleNextAsync(conn, tx, a.CallbackId, at, ct);
            }
            else if (callbackState == "exhausted")
            {
                // No callable moment left (e.g. a preferred window inside quiet hours): a person decides.
                await AlertAsync(conn, tx, "callback_exhausted", "callback", a.CallbackId, a.CallbackId, null, "没有可拨打的时间窗口,请主管处理", ct);
            }
        }

        await tx.CommitAsync(ct);
    }

    /// <summary>Records a dial result and lets the policy decide what follows. False when the attempt was already resolved.</summary>
    public async Task<bool> RecordAsync(long attemptId, DialResult result, string? resolvedBy, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(result);
        var now = time.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        var info = await conn.QuerySingleOrDefaultAsync<(long CallbackId, string Kind, string SourceId, string Mode, int Priority, int MaxAttempts, string Settings,
            string? Zone, TimeSpan? PrefStart, TimeSpan? PrefEnd)?>(new CommandDefinition("""
            SELECT c.id, c.kind, c.source_id, p.mode, p.priority, p.max_attempts, p.settings::text, cu.time_zone, cu.preferred_call_start, cu.preferred_call_end
            FROM callback_attempts a JOIN callbacks c ON c.id = a.callback_id JOIN callback_policies p ON p.code = c.kind
            LEFT JOIN customers cu ON cu.id = c.customer_id
            WHERE a.id = @attemptId
            """, new { attemptId }, cancellationToken: ct));
        if (info is not { } i)
        {
            return false;
        }

        var policy = CallbackPolicy.From(i.Kind, i.Mode, i.Priority, i.MaxAttempts, i.Settings);
        var (outcome, score) = Interpret(policy, result);
        var window = await catalog.WindowAsync(policy, i.Zone, i.PrefStart is { } ps ? TimeOnly.FromTimeSpan(ps) : null,
            i.PrefEnd is { } pe ? TimeOnly.FromTimeSpan(pe) : null, ct);

        await using var tx = await conn.BeginTransactionAsync(ct);
        var updated = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE callback_attempts
            SET outcome = @outcome, dtmf = @dtmf, survey_score = @score, outcome_at = @now, notes = coalesce(@reason, notes),
                resolved_by = CASE WHEN state = 'unknown' THEN coalesce(@resolvedBy, 'late_outcome') ELSE resolved_by END,
                state = 'done'
            WHERE id = @attemptId AND state IN ('dialing','unknown')
            """, new { attemptId, outcome, dtmf = Truncate(result.Dtmf), score, now, resolvedBy, reason = result.Reason is { Length: > 200 } r ? r[..200] : result.Reason }, tx, cancellationToken: ct));
        if (updated == 0)
        {
            await tx.RollbackAsync(ct);
            return false;
        }

        metrics.Outcome(i.Kind, outcome);
        if (outcome is "confirmed" or "survey_completed" || (outcome == "answered" && policy.Mode == DialMode.AgentFirst))
        {
            await CloseAsync(conn, tx, i.CallbackId, "completed", outcome, now, ct);
            if (i.Kind == "complaint_first_response" && long.TryParse(i.SourceId, System.Globalization.CultureInfo.InvariantCulture, out var complaintId))
            {
                // The customer was reached: the 24-hour first-reply timer is met (004 L257).
                await conn.ExecuteAsync(new CommandDefinition(
                    "UPDATE sla_timers SET met_at = @now WHERE complaint_id = @complaintId AND kind = 'first_response' AND met_at IS NULL",
                    new { complaintId, now }, tx, cancellationToken: ct));
            }
        }
        else
        {
            var dialedAt = (await conn.QueryAsync<DateTime>(new CommandDefinition("""
                SELECT dial_started_at FROM callback_attempts
                WHERE callback_id = @CallbackId AND dial_started_at IS NOT NULL
                ORDER BY dial_started_at
                """, new { i.CallbackId }, tx, cancellationToken: ct))).Select(d => new DateTimeOffset(DateTime.SpecifyKind(d, DateTimeKind.Utc))).ToList();
            var next = outcome == "call_later"
                ? AttemptPlanner.CallLater(policy, dialedAt.Count, now, window)
                : AttemptPlanner.AfterFailure(policy, dialedAt, now, window);
            if (next.At is { } at)
            {
                await ScheduleNextAsync(conn, tx, i.CallbackId, at, ct);
                if (next.FirstDayFailed && policy.Settings.SmsAfterFirstFailedDay)
                {
                    await AlertAsync(conn, tx, "sms_fallback", "callback", i.CallbackId, i.CallbackId, null, "首日未联系上,请发送取机短信 (000 L76)", ct);
                }
            }
            else
            {
                await CloseAsync(conn, tx, i.CallbackId, "exhausted", "max_attempts", now, ct);
                await AlertAsync(conn, tx, "callback_exhausted", "callback", i.CallbackId, i.CallbackId, null, "回电次数已用完,请主管处理", ct);
            }
        }

        await tx.CommitAsync(ct);
        LogOutcome(logger, attemptId, i.CallbackId, outcome);
        return true;
    }

    /// <summary>Flags an attempt whose outcome nobody knows; it is never redialed automatically (reliability.md §3.6).</summary>
    public async Task<bool> MarkUnknownAsync(long attemptId, string note, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        var callbackId = await conn.ExecuteScalarAsync<long?>(new CommandDefinition(
            "UPDATE callback_attempts SET state = 'unknown', notes = @note WHERE id = @attemptId AND state = 'dialing' RETURNING callback_id",
            new { attemptId, note }, tx, cancellationToken: ct));
        if (callbackId is { } cid)
        {
            await AlertAsync(conn, tx, "attempt_unknown", "attempt", attemptId, cid, null, "回电结果未知(可能已拨出),请人工核实,不会自动重拨", ct);
            metrics.Unknown();
        }

        await tx.CommitAsync(ct);
        return callbackId is not null;
    }

    internal static (string Outcome, int? Score) Interpret(CallbackPolicy policy, DialResult result)
    {
        switch (result.Outcome)
        {
            case DialOutcome.Busy: return ("busy", null);
            case DialOutcome.NoAnswer: return ("no_answer", null);
            case DialOutcome.Rejected: return ("rejected", null);
            case DialOutcome.Failed: return ("failed", null);
        }

        var digit = string.IsNullOrEmpty(result.Dtmf) ? '\0' : result.Dtmf[0];
        if (policy.Mode == DialMode.Automated && SurveyKinds.Contains(policy.Code))
        {
            return digit is >= '1' and <= '5' ? ("survey_completed", digit - '0') : digit == '9' ? ("call_later", null) : ("answered", null);
        }

        if (policy.Mode == DialMode.Automated)
        {
            return digit switch { '1' => ("confirmed", null), '2' => ("call_later", null), _ => ("answered", null) };
        }

        return ("answered", null);
    }

    internal static async Task AlertAsync(NpgsqlConnection conn, NpgsqlTransaction? tx, string kind, string subjectType, long subjectId,
        long? callbackId, long? complaintId, string message, CancellationToken ct) =>
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO callback_alerts (kind, subject_type, subject_id, callback_id, complaint_id, message)
            VALUES (@kind, @subjectType, @subjectId, @callbackId, @complaintId, @message)
            ON CONFLICT (kind, subject_type, subject_id) DO NOTHING
            """, new { kind, subjectType, subjectId, callbackId, complaintId, message }, tx, cancellationToken: ct));

    private static async Task CloseAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long callbackId, string? state, string? reason, DateTimeOffset now, CancellationToken ct)
    {
        if (state is null)
        {
            return;
        }

        await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE callbacks SET state = @state, close_reason = @reason, closed_at = @now WHERE id = @callbackId AND state IN ('open','in_progress')
            """, new { callbackId, state, reason, now }, tx, cancellationToken: ct));
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE callback_attempts SET state = 'cancelled', outcome_at = @now, notes = @reason WHERE callback_id = @callbackId AND state = 'scheduled'",
            new { callbackId, reason, now }, tx, cancellationToken: ct));
    }

    private static Task<int> ScheduleNextAsync(NpgsqlConnection conn, NpgsqlTransaction tx, long callbackId, DateTimeOffset at, CancellationToken ct) =>
        conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO callback_attempts (callback_id, attempt_no, not_before)
            SELECT @callbackId, max(attempt_no) + 1, @at FROM callback_attempts WHERE callback_id = @callbackId
            ON CONFLICT (callback_id, attempt_no) DO NOTHING
            """, new { callbackId, at = at.ToUniversalTime() }, tx, cancellationToken: ct));

    private static string? Truncate(string? dtmf) => dtmf is { Length: > 32 } ? dtmf[..32] : dtmf;

    [LoggerMessage(LogLevel.Information, "Attempt {AttemptId} of callback {CallbackId} ended: {Outcome}")]
    private static partial void LogOutcome(ILogger logger, long attemptId, long callbackId, string outcome);
}
