using CallCenter.Callbacks.Policies;
using Dapper;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Callbacks.Execution;

/// <summary>How one claimed attempt ended on this node.</summary>
public enum AttemptResult
{
    Dialed,
    Skipped,
    Cancelled,
    Unknown,
    Released,
}

/// <summary>
/// Runs one claimed attempt: dial-time checks (reliability.md §3.4) → <see cref="ICallbackDialer"/> → outcome.
/// Each failed check ends the attempt with its reason; the next attempt, if any, is a new row (§3.7).
/// The nuisance, do-not-call, stop-calling and ticket checks read their tables directly instead of asking the host
/// through a guard interface: they share our database and schema, one query sees them all at the moment of the
/// dial, and no host state is involved (style.md keeps interfaces for real seams).
/// </summary>
public sealed partial class AttemptExecutor(
    NpgsqlDataSource db,
    PolicyCatalog catalog,
    OutcomeRecorder outcomes,
    IOptions<CallbacksOptions> options,
    TimeProvider time,
    CallbacksMetrics metrics,
    ILogger<AttemptExecutor> logger)
{
    public async Task<AttemptResult> ExecuteAsync(ClaimedAttempt attempt, ICallbackDialer dialer, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(attempt);
        ArgumentNullException.ThrowIfNull(dialer);
        metrics.DueToClaim(attempt);
        DialContext ctx;
        DialRequest request;
        try
        {
            ctx = await LoadContextAsync(attempt, ct);
            var refusal = await CheckAsync(attempt, ctx, ct);
            if (refusal is not null)
            {
                return refusal.Value;
            }

            var started = await TryStartDialAsync(attempt, ctx, ct);
            if (started is not null)
            {
                return started.Value;
            }

            request = new DialRequest(attempt.Id, attempt.CallbackId, attempt.AttemptNo, ctx.Kind, ctx.Policy.Mode, ctx.Destination,
                attempt.SipCallId, ctx.OwnerAgentId, ctx.CustomerId);
        }
        catch (Exception ex) when (ex is NpgsqlException or TimeoutException or InvalidOperationException or OperationCanceledException)
        {
            // Nothing was dialed: give the claim back so the attempt runs later instead of being flagged unknown.
            LogCheckFailed(logger, ex, attempt.Id);
            await TryReleaseAsync(attempt.Id);
            return AttemptResult.Released;
        }

        LogDialing(logger, attempt.Id, attempt.CallbackId, ctx.Kind, Mask(ctx.Destination), attempt.SipCallId);
        metrics.Dialed(ctx.Kind);
        DialResult result;
        try
        {
            using var limit = new CancellationTokenSource(TimeSpan.FromMinutes(options.Value.MaxCallDurationMinutes), time);
            result = await dialer.DialAsync(request, limit.Token);
        }
        catch (Exception ex)
        {
            // The INVITE may or may not have gone out: never redial on our own, flag it for a person (§3.6).
            LogDialerFailed(logger, ex, attempt.Id);
            await outcomes.MarkUnknownAsync(attempt.Id, "dialer raised " + ex.GetType().Name, CancellationToken.None);
            return AttemptResult.Unknown;
        }

        await outcomes.RecordAsync(attempt.Id, result, resolvedBy: null, CancellationToken.None);
        return AttemptResult.Dialed;
    }

    private async Task<AttemptResult?> CheckAsync(ClaimedAttempt a, DialContext ctx, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        if (ctx.CallbackState is not ("open" or "in_progress"))
        {
            await outcomes.EndAsync(a, "cancelled", "callback_closed", null, null, null, ct);
            return AttemptResult.Cancelled;
        }

        if (!ctx.TicketOpen)
        {
            return await SkipAsync(a, ctx.Kind, "ticket_closed", "completed", "ticket_closed", null, ct);
        }

        var verdict = DestinationRules.Check(ctx.Destination, options.Value);
        if (verdict != DestinationVerdict.Allowed)
        {
            return await SkipAsync(a, ctx.Kind, "blocked_destination", "stopped", "destination_" + verdict.ToString().ToLowerInvariant(), null, ct);
        }

        if (ctx.OnDoNotCallList || ctx.CustomerDoNotCall)
        {
            return await SkipAsync(a, ctx.Kind, "do_not_call", "stopped", "do_not_call", null, ct);
        }

        if (ctx.StopCalling)
        {
            return await SkipAsync(a, ctx.Kind, "stop_calling", "stopped", "stop_calling", null, ct);
        }

        if (ctx.NuisanceBlocked)
        {
            return await SkipAsync(a, ctx.Kind, "nuisance_blocked", "stopped", "nuisance_blocked", null, ct);
        }

        var window = await catalog.WindowAsync(ctx.Policy, ctx.TimeZone, ctx.PreferredStart, ctx.PreferredEnd, ct);
        if (!window.IsCallable(now))
        {
            var next = window.NextCallable(now);
            return await SkipAsync(a, ctx.Kind, "skipped_hours", next is null ? "exhausted" : null, next is null ? "no_calling_window" : null, next, ct);
        }

        return null;
    }

    /// <summary>
    /// The per-number per-day cap (reliability.md §1) and the "dial started" mark in one transaction, serialised per
    /// destination by an advisory lock so two nodes cannot both take the last slot. Null means: go ahead and dial.
    /// </summary>
    private async Task<AttemptResult?> TryStartDialAsync(ClaimedAttempt a, DialContext ctx, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        // The customer's day; an unknown zone name falls back to the centre's rather than failing the query.
        var zone = TimeZoneInfo.TryFindSystemTimeZoneById(ctx.TimeZone, out var z) ? z.Id : options.Value.DefaultTimeZone;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("SELECT pg_advisory_xact_lock(hashtext('callback-destination:' || @Destination))",
            new { ctx.Destination }, tx, cancellationToken: ct));
        var today = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            SELECT count(*)::int FROM callback_attempts a2 JOIN callbacks c2 ON c2.id = a2.callback_id
            WHERE c2.destination = @Destination AND a2.dial_started_at >= (date_trunc('day', @now AT TIME ZONE @zone) AT TIME ZONE @zone)
            """, new { ctx.Destination, now, zone }, tx, cancellationToken: ct));
        if (today < options.Value.MaxAttemptsPerNumberPerDay)
        {
            // The Call-ID names this claim: if the claim was given back and taken by another node meanwhile, nothing changes.
            var marked = await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE callback_attempts SET dial_started_at = @now WHERE id = @Id AND state = 'dialing' AND sip_call_id = @SipCallId",
                new { now, a.Id, a.SipCallId }, tx, cancellationToken: ct));
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE callbacks SET state = 'in_progress' WHERE id = @CallbackId AND state = 'open'", new { a.CallbackId }, tx, cancellationToken: ct));
            await tx.CommitAsync(ct);
            return marked == 1 ? null : AttemptResult.Cancelled;
        }

        await tx.RollbackAsync(ct);
        var window = await catalog.WindowAsync(ctx.Policy, ctx.TimeZone, ctx.PreferredStart, ctx.PreferredEnd, ct);
        var tomorrow = LocalTime.ToInstant(LocalTime.DateIn(now, window.CustomerZone).AddDays(1), TimeOnly.MinValue, window.CustomerZone);
        var next = window.NextCallable(tomorrow);
        return await SkipAsync(a, ctx.Kind, "cap_reached", next is null ? "exhausted" : null, next is null ? "no_calling_window" : null, next, ct);
    }

    private async Task<AttemptResult> SkipAsync(ClaimedAttempt a, string kind, string outcome, string? callbackState, string? closeReason, DateTimeOffset? next, CancellationToken ct)
    {
        await outcomes.EndAsync(a, "skipped", outcome, callbackState, closeReason, next, ct);
        metrics.Skipped(kind, outcome);
        LogSkipped(logger, a.Id, a.CallbackId, outcome, closeReason ?? "-", next);
        return AttemptResult.Skipped;
    }

    private async Task TryReleaseAsync(long attemptId)
    {
        try
        {
            await AttemptClaims.ReleaseUndialedAsync(db, attemptId, CancellationToken.None);
        }
        catch (NpgsqlException ex)
        {
            // Still 'dialing' with no INVITE: the reconciler flags it after the maximum call duration.
            LogReleaseFailed(logger, ex, attemptId);
        }
    }

    private async Task<DialContext> LoadContextAsync(ClaimedAttempt a, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var row = await conn.QuerySingleAsync<DialContextRow>(new CommandDefinition("""
            SELECT c.kind AS Kind, c.state AS CallbackState, c.destination AS Destination, c.customer_id AS CustomerId,
                   c.owner_agent_id AS OwnerAgentId, p.mode AS Mode, p.priority AS Priority, p.max_attempts AS MaxAttempts,
                   p.settings::text AS Settings, z.tz AS TimeZone,
                   cu.preferred_call_start AS PreferredStart, cu.preferred_call_end AS PreferredEnd,
                   coalesce(cu.stop_calling, false) AS StopCalling, coalesce(cu.do_not_call, false) AS CustomerDoNotCall,
                   EXISTS (SELECT 1 FROM do_not_call d
                           WHERE d.number IN (c.destination, '+86' || c.destination, '86' || c.destination, '0086' || c.destination)) AS OnDoNotCallList,
                   EXISTS (SELECT 1 FROM blocking_rules b
                           WHERE b.enabled AND b.action = 'reject' AND (b.expires_at IS NULL OR b.expires_at > @now)
                             AND ((b.kind IN ('exact','flagged') AND b.number = c.destination)
                                  OR (b.kind = 'prefix' AND starts_with(c.destination, b.number)))) AS NuisanceBlocked,
                   CASE WHEN c.kind = 'pickup_reminder' AND c.source_type = 'repair_order' THEN
                             coalesce((SELECT r.status = 'ready_for_pickup' FROM repair_orders r WHERE r.id = c.source_id::bigint), false)
                        WHEN c.kind IN ('complaint_first_response','complaint_result') AND c.source_type = 'complaint' THEN
                             coalesce((SELECT x.status IN ('open','in_progress') FROM complaints x WHERE x.id = c.source_id::bigint), false)
                        ELSE true END AS TicketOpen
            FROM callback_attempts a
            JOIN callbacks c ON c.id = a.callback_id
            JOIN callback_policies p ON p.code = c.kind
            LEFT JOIN customers cu ON cu.id = c.customer_id
            CROSS JOIN LATERAL (SELECT coalesce(cu.time_zone, @defaultZone) AS tz) z
            WHERE a.id = @id
            """, new { id = a.Id, now = time.GetUtcNow(), defaultZone = options.Value.DefaultTimeZone }, cancellationToken: ct));
        return new DialContext(row.Kind, row.CallbackState, row.Destination, row.CustomerId, row.OwnerAgentId,
            CallbackPolicy.From(row.Kind, row.Mode, row.Priority, row.MaxAttempts, row.Settings), row.TimeZone,
            row.PreferredStart is { } ps ? TimeOnly.FromTimeSpan(ps) : null, row.PreferredEnd is { } pe ? TimeOnly.FromTimeSpan(pe) : null,
            row.StopCalling, row.CustomerDoNotCall, row.OnDoNotCallList, row.NuisanceBlocked, row.TicketOpen);
    }

    /// <summary>Logs keep the last four digits only (reliability.md §4).</summary>
    internal static string Mask(string number) => number.Length <= 4 ? "****" : new string('*', number.Length - 4) + number[^4..];

    private sealed record DialContext(string Kind, string CallbackState, string Destination, long? CustomerId, int? OwnerAgentId,
        CallbackPolicy Policy, string TimeZone, TimeOnly? PreferredStart, TimeOnly? PreferredEnd, bool StopCalling,
        bool CustomerDoNotCall, bool OnDoNotCallList, bool NuisanceBlocked, bool TicketOpen);

    private sealed class DialContextRow
    {
        public string Kind { get; init; } = "";
        public string CallbackState { get; init; } = "";
        public string Destination { get; init; } = "";
        public long? CustomerId { get; init; }
        public int? OwnerAgentId { get; init; }
        public string Mode { get; init; } = "";
        public int Priority { get; init; }
        public int MaxAttempts { get; init; }
        public string Settings { get; init; } = "{}";
        public string TimeZone { get; init; } = "";
        public TimeSpan? PreferredStart { get; init; }
        public TimeSpan? PreferredEnd { get; init; }
        public bool StopCalling { get; init; }
        public bool CustomerDoNotCall { get; init; }
        public bool OnDoNotCallList { get; init; }
        public bool NuisanceBlocked { get; init; }
        public bool TicketOpen { get; init; }
    }

    [LoggerMessage(LogLevel.Information, "Dialing attempt {AttemptId} of callback {CallbackId} ({Kind}) to {Destination}, Call-ID {SipCallId}")]
    private static partial void LogDialing(ILogger logger, long attemptId, long callbackId, string kind, string destination, string sipCallId);

    [LoggerMessage(LogLevel.Information, "Attempt {AttemptId} of callback {CallbackId} not dialed: {Reason} ({Detail}); next at {NextAt}")]
    private static partial void LogSkipped(ILogger logger, long attemptId, long callbackId, string reason, string detail, DateTimeOffset? nextAt);

    [LoggerMessage(LogLevel.Warning, "Dial-time checks of attempt {AttemptId} failed before dialing; the claim is given back")]
    private static partial void LogCheckFailed(ILogger logger, Exception ex, long attemptId);

    [LoggerMessage(LogLevel.Error, "Dialer failed on attempt {AttemptId}; outcome unknown, flagged for a person")]
    private static partial void LogDialerFailed(ILogger logger, Exception ex, long attemptId);

    [LoggerMessage(LogLevel.Warning, "Could not give back the claim of attempt {AttemptId}")]
    private static partial void LogReleaseFailed(ILogger logger, Exception ex, long attemptId);
}
