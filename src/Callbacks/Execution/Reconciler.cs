using CallCenter.Callbacks.Policies;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Callbacks.Execution;

/// <summary>What one reconciler pass did.</summary>
public sealed record ReconcileReport(int ResolvedFromCalls, int Released, int MarkedUnknown, int SlaWarnings, int SlaBreaches, int PromiseAlerts, int Stalled = 0);

/// <summary>
/// Periodic repair (reliability.md §3.6, §3.9, §3.11): resolves stuck attempts from the call records by their stored
/// Call-ID, flags attempts still 'dialing' after the maximum call duration as 'unknown' (never redialed), and raises
/// SLA warnings, breaches and promise reminders exactly once each.
/// </summary>
public sealed partial class Reconciler(NpgsqlDataSource db, OutcomeRecorder outcomes, IOptions<CallbacksOptions> options, TimeProvider time, ILogger<Reconciler> logger,
    IServiceProvider services)
{
    private bool _warnedNothingDials;

    // Claim → checks → dial start takes milliseconds; a claim this old without a dial start belongs to a dead node.
    private static readonly TimeSpan ReleaseUndialedAfter = TimeSpan.FromMinutes(2);

    public async Task<ReconcileReport> RunAsync(CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);

        // 1. Ended outbound calls tell us what happened to attempts whose node did not write it.
        var fromCalls = (await conn.QueryAsync<(long Id, string Disposition)>(new CommandDefinition("""
            SELECT a.id, k.disposition
            FROM callback_attempts a
            JOIN calls k ON k.sip_call_id = a.sip_call_id AND k.direction = 'outbound'
            WHERE a.state IN ('dialing','unknown') AND k.ended_at IS NOT NULL
              AND k.disposition IN ('completed','busy','no_answer','rejected','failed')
            """, cancellationToken: ct))).ToList();
        var resolved = 0;
        foreach (var (id, disposition) in fromCalls)
        {
            var outcome = disposition switch
            {
                "completed" => DialOutcome.Answered,
                "busy" => DialOutcome.Busy,
                "no_answer" => DialOutcome.NoAnswer,
                "rejected" => DialOutcome.Rejected,
                _ => DialOutcome.Failed,
            };
            if (await outcomes.RecordAsync(id, new DialResult(outcome), "reconciler:cdr", ct))
            {
                resolved++;
            }
        }

        // 2. Claimed but never started (a node died between claim and dial): nothing rang, so it may run again.
        var released = await AttemptClaims.ReleaseAbandonedAsync(db, now - ReleaseUndialedAfter, ct);

        // 3. Dial started and still no outcome after the longest possible call: nobody knows whether the customer was called.
        var cutoff = now.AddMinutes(-options.Value.MaxCallDurationMinutes);
        var stuck = (await conn.QueryAsync<long>(new CommandDefinition(
            "SELECT id FROM callback_attempts WHERE state = 'dialing' AND dial_started_at IS NOT NULL AND claimed_at < @cutoff",
            new { cutoff = cutoff.ToUniversalTime() }, cancellationToken: ct))).ToList();
        var unknown = 0;
        foreach (var id in stuck)
        {
            if (await outcomes.MarkUnknownAsync(id, "no outcome after the maximum call duration", ct))
            {
                unknown++;
                LogUnknown(logger, id);
            }
        }

        // 4. SLA escalation before and at the deadline, once per timer (UNIQUE on the alert).
        var warnings = await conn.ExecuteAsync(new CommandDefinition("""
            WITH w AS (
                UPDATE sla_timers SET warned_at = @now
                WHERE warned_at IS NULL AND met_at IS NULL AND breached_at IS NULL AND warn_at <= @now
                RETURNING id, complaint_id, kind, due_at)
            INSERT INTO callback_alerts (kind, subject_type, subject_id, complaint_id, due_at, message)
            SELECT 'sla_warning', 'sla_timer', id, complaint_id, due_at,
                   CASE kind WHEN 'first_response' THEN '投诉首次回复即将超时(24小时)' ELSE '投诉处理结果即将超时(3个工作日)' END
            FROM w
            ON CONFLICT (kind, subject_type, subject_id) DO NOTHING
            """, new { now }, cancellationToken: ct));
        var breaches = await conn.ExecuteAsync(new CommandDefinition("""
            WITH b AS (
                UPDATE sla_timers SET breached_at = @now
                WHERE breached_at IS NULL AND met_at IS NULL AND due_at <= @now
                RETURNING id, complaint_id, kind, due_at)
            INSERT INTO callback_alerts (kind, subject_type, subject_id, complaint_id, due_at, message)
            SELECT 'sla_breach', 'sla_timer', id, complaint_id, due_at,
                   CASE kind WHEN 'first_response' THEN '投诉首次回复已超时' ELSE '投诉处理结果已超时' END
            FROM b
            ON CONFLICT (kind, subject_type, subject_id) DO NOTHING
            """, new { now }, cancellationToken: ct));

        // 5. A spoken promise still open shortly before its time (003 L1083; minutes from the policy).
        var promises = await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO callback_alerts (kind, subject_type, subject_id, callback_id, due_at, message)
            SELECT 'promise_due', 'callback', c.id, c.id, c.due_at, '承诺回电即将到期,仍未完成'
            FROM callbacks c JOIN callback_policies p ON p.code = c.kind
            WHERE c.kind = 'promise' AND c.state IN ('open','in_progress')
              AND c.due_at - make_interval(mins => coalesce((p.settings->>'supervisorAlertMinutesBefore')::int, 0)) <= @now
            ON CONFLICT (kind, subject_type, subject_id) DO NOTHING
            """, new { now }, cancellationToken: ct));

        // 6. Watchdog (§3.9): attempts long past due while nothing dials is the silent-stall failure mode. Only
        // attempts a dialer here could place count: with no trunk (or no dialer) they wait by design, which is
        // said once as a warning instead of an error every pass.
        var stallBefore = now.AddMinutes(-options.Value.StallAlarmMinutes).ToUniversalTime();
        var dialer = services.GetService(typeof(ICallbackDialer)) as ICallbackDialer;
        string[] modes = dialer is null ? [] : [.. new[] { (DialMode.AgentFirst, "agent_first"), (DialMode.Automated, "automated") }
            .Where(m => dialer.Dials(m.Item1)).Select(m => m.Item2)];
        var stalled = 0;
        if (modes.Length == 0)
        {
            if (!_warnedNothingDials && await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM callback_attempts WHERE state = 'scheduled' AND not_before < @stallBefore)",
                new { stallBefore }, cancellationToken: ct)))
            {
                _warnedNothingDials = true;
                LogNothingDials(logger, options.Value.StallAlarmMinutes);
            }
        }
        else
        {
            stalled = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
                SELECT count(*)::int FROM callback_attempts a
                JOIN callbacks c ON c.id = a.callback_id
                JOIN callback_policies p ON p.code = c.kind
                WHERE a.state = 'scheduled' AND a.not_before < @stallBefore AND p.mode = ANY(@modes)
                  AND NOT EXISTS (SELECT 1 FROM callback_attempts d WHERE d.state = 'dialing')
                """, new { stallBefore, modes }, cancellationToken: ct));
            if (stalled > 0)
            {
                LogStalled(logger, stalled, options.Value.StallAlarmMinutes);
            }
        }

        return new ReconcileReport(resolved, released, unknown, warnings, breaches, promises, stalled);
    }

    [LoggerMessage(LogLevel.Error, "{Count} callback attempts are more than {Minutes} minutes past due and nothing is dialing: the scheduler may be stalled")]
    private static partial void LogStalled(ILogger logger, int count, int minutes);

    [LoggerMessage(LogLevel.Warning, "Callback attempts are more than {Minutes} minutes past due, and no dialer on this node can place them (is Telephony:Outbound:Trunk set?): they wait")]
    private static partial void LogNothingDials(ILogger logger, int minutes);

    [LoggerMessage(LogLevel.Warning, "Attempt {AttemptId} had no outcome after the maximum call duration: marked unknown, not redialed")]
    private static partial void LogUnknown(ILogger logger, long attemptId);
}
