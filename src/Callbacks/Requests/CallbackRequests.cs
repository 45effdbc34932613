using CallCenter.Callbacks.Execution;
using CallCenter.Callbacks.Policies;
using Dapper;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace CallCenter.Callbacks.Requests;

/// <summary>Result of asking for a callback: the request's id, whether this call created it, or why not.</summary>
public sealed record CallbackCreation(long? CallbackId, bool Created, string? Error = null)
{
    public static CallbackCreation Refused(string error) => new(null, false, error);
}

/// <summary>A callback to create; the destination is a number on file or the caller's verified ANI, never free text.</summary>
public sealed record NewCallback(
    string Kind,
    string SourceType,
    string SourceId,
    long? CustomerId,
    string Destination,
    DateTimeOffset DueAt,
    string CreatedBy,
    int? OwnerAgentId = null,
    string? PromiseText = null,
    long? TranscriptSegmentId = null,
    int? Priority = null);

/// <summary>
/// Creates callback requests from every source as plain methods. Idempotent: UNIQUE (source_type, source_id, kind)
/// means a retried event or a re-processed utterance finds the existing request instead of adding one.
/// </summary>
public sealed partial class CallbackRequests(NpgsqlDataSource db, PolicyCatalog catalog, TimeProvider time, ILogger<CallbackRequests> logger)
{
    /// <summary>A repair became ready for pick-up (000 L76): the pick-up reminder series starts.</summary>
    public async Task<CallbackCreation> RepairReadyForPickupAsync(long repairOrderId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var order = await conn.QuerySingleOrDefaultAsync<(long CustomerId, DateTime? ReadyAt, int? OwnerAgentId)?>(new CommandDefinition(
            "SELECT customer_id, ready_at, owner_agent_id FROM repair_orders WHERE id = @repairOrderId", new { repairOrderId }, cancellationToken: ct));
        if (order is not { } o)
        {
            return Refused("repair order not found", repairOrderId);
        }

        var due = o.ReadyAt is { } r ? new DateTimeOffset(DateTime.SpecifyKind(r, DateTimeKind.Utc)) : time.GetUtcNow();
        return await FromCustomerAsync("pickup_reminder", "repair_order", repairOrderId, o.CustomerId, due, o.OwnerAgentId, ct);
    }

    /// <summary>The customer picked the unit up: reminders end, the 回访 follows N working days later (000 L82, §13 #12).</summary>
    public async Task<CallbackCreation> RepairPickedUpAsync(long repairOrderId, CancellationToken ct)
    {
        await CloseAsync("repair_order", repairOrderId.ToString(System.Globalization.CultureInfo.InvariantCulture), ["pickup_reminder"], "picked_up", ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var order = await conn.QuerySingleOrDefaultAsync<(long CustomerId, DateTime? PickedUpAt, int? OwnerAgentId)?>(new CommandDefinition(
            "SELECT customer_id, picked_up_at, owner_agent_id FROM repair_orders WHERE id = @repairOrderId", new { repairOrderId }, cancellationToken: ct));
        if (order is not { } o)
        {
            return Refused("repair order not found", repairOrderId);
        }

        var policy = await catalog.GetPolicyAsync("repair_followup", ct);
        var (calendar, _) = await catalog.GetCalendarAsync(ct);
        var pickedUp = o.PickedUpAt is { } p ? new DateTimeOffset(DateTime.SpecifyKind(p, DateTimeKind.Utc)) : time.GetUtcNow();
        var due = calendar.AddWorkingDays(pickedUp, policy.Settings.DelayWorkingDays, catalog.CentreZone);
        return await FromCustomerAsync("repair_followup", "repair_order", repairOrderId, o.CustomerId, due, o.OwnerAgentId, ct);
    }

    /// <summary>
    /// A complaint was opened (004 L257): SLA timers for the first reply (hours) and the result (working days), each
    /// with a warning time for supervisors, and a first-response callback due at once.
    /// </summary>
    public async Task<CallbackCreation> ComplaintOpenedAsync(long complaintId, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var c = await conn.QuerySingleOrDefaultAsync<(long CustomerId, DateTime CreatedAt, int? HandlerAgentId)?>(new CommandDefinition(
            "SELECT customer_id, created_at, handler_agent_id FROM complaints WHERE id = @complaintId", new { complaintId }, cancellationToken: ct));
        if (c is not { } complaint)
        {
            return Refused("complaint not found", complaintId);
        }

        var created = new DateTimeOffset(DateTime.SpecifyKind(complaint.CreatedAt, DateTimeKind.Utc));
        var deadlines = await ComplaintDeadlinesAsync(created, ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO sla_timers (complaint_id, kind, due_at, warn_at) VALUES
              (@complaintId, 'first_response', @FirstResponseDue, @FirstResponseWarn),
              (@complaintId, 'resolution', @ResolutionDue, @ResolutionWarn)
            ON CONFLICT (complaint_id, kind) DO NOTHING
            """, new { complaintId, deadlines.FirstResponseDue, deadlines.FirstResponseWarn, deadlines.ResolutionDue, deadlines.ResolutionWarn }, cancellationToken: ct));
        return await FromCustomerAsync("complaint_first_response", "complaint", complaintId, complaint.CustomerId, created, complaint.HandlerAgentId, ct);
    }

    /// <summary>SLA deadlines of a complaint created at <paramref name="created"/> (D-5), from the complaint policies.</summary>
    public async Task<ComplaintDeadlines> ComplaintDeadlinesAsync(DateTimeOffset created, CancellationToken ct)
    {
        var first = await catalog.GetPolicyAsync("complaint_first_response", ct);
        var result = await catalog.GetPolicyAsync("complaint_result", ct);
        var (calendar, _) = await catalog.GetCalendarAsync(ct);
        return ComplaintDeadlines.Compute(created, first.Settings, result.Settings, calendar, catalog.CentreZone);
    }

    /// <summary>First reply given: the first-response timer is met and its callback closes.</summary>
    public async Task ComplaintFirstRespondedAsync(long complaintId, CancellationToken ct)
    {
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "UPDATE sla_timers SET met_at = @now WHERE complaint_id = @complaintId AND kind = 'first_response' AND met_at IS NULL",
                new { complaintId, now = time.GetUtcNow() }, cancellationToken: ct));
        }

        await CloseAsync("complaint", Id(complaintId), ["complaint_first_response"], "first_response_given", ct);
    }

    /// <summary>Complaint resolved and closed: timers met, open complaint callbacks close, the 回访 is scheduled (001 L263-268).</summary>
    public async Task<CallbackCreation> ComplaintClosedAsync(long complaintId, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE sla_timers SET met_at = @now WHERE complaint_id = @complaintId AND met_at IS NULL", new { complaintId, now }, cancellationToken: ct));
        await CloseAsync("complaint", Id(complaintId), ["complaint_first_response", "complaint_result"], "complaint_closed", ct);
        var c = await conn.QuerySingleOrDefaultAsync<(long CustomerId, DateTime? ClosedAt, int? HandlerAgentId)?>(new CommandDefinition(
            "SELECT customer_id, coalesce(closed_at, resolved_at), handler_agent_id FROM complaints WHERE id = @complaintId", new { complaintId }, cancellationToken: ct));
        if (c is not { } complaint)
        {
            return Refused("complaint not found", complaintId);
        }

        var policy = await catalog.GetPolicyAsync("complaint_followup", ct);
        var (calendar, _) = await catalog.GetCalendarAsync(ct);
        var closed = complaint.ClosedAt is { } t ? new DateTimeOffset(DateTime.SpecifyKind(t, DateTimeKind.Utc)) : now;
        var due = calendar.AddWorkingDays(closed, policy.Settings.DelayWorkingDays, catalog.CentreZone);
        return await FromCustomerAsync("complaint_followup", "complaint", complaintId, complaint.CustomerId, due, complaint.HandlerAgentId, ct);
    }

    /// <summary>The caller chose "call me back" in the queue; the destination is the call's verified ANI.</summary>
    public Task<CallbackCreation> QueueCallbackAsync(string callId, string callerNumber, long? customerId, CancellationToken ct) =>
        CreateAsync(new NewCallback("queue_callback", "queue", callId, customerId, callerNumber, time.GetUtcNow(), "queue"), ct);

    /// <summary>The caller hung up while queued (not in the seeds; domain.md §9.1 (D)).</summary>
    public Task<CallbackCreation> AbandonedCallAsync(string callId, string callerNumber, long? customerId, CancellationToken ct) =>
        CreateAsync(new NewCallback("abandoned", "call", callId, customerId, callerNumber, time.GetUtcNow(), "queue"), ct);

    /// <summary>An agent's spoken promise ("10分钟后我再给您打个电话"), keyed by the utterance so reprocessing adds nothing.</summary>
    public Task<CallbackCreation> AgentPromiseAsync(string promiseKey, DateTimeOffset dueAt, int agentId, string number, long? customerId,
        string? promiseText, long? transcriptSegmentId, CancellationToken ct) =>
        CreateAsync(new NewCallback("promise", "promise", promiseKey, customerId, number, dueAt, "agent:" + Id(agentId), agentId, promiseText, transcriptSegmentId), ct);

    /// <summary>An agent or supervisor schedules one by hand; <paramref name="requestKey"/> makes a double submit harmless.</summary>
    public Task<CallbackCreation> ManualAsync(string requestKey, string number, long? customerId, DateTimeOffset dueAt, string createdBy, int? ownerAgentId, CancellationToken ct) =>
        CreateAsync(new NewCallback("manual", "manual", requestKey, customerId, number, dueAt, createdBy, ownerAgentId), ct);

    /// <summary>Creates the request and its first attempt in one transaction, or returns the existing request.</summary>
    public async Task<CallbackCreation> CreateAsync(NewCallback request, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(request);
        var destination = DestinationRules.Normalize(request.Destination);
        if (destination is null || destination.Length is < 3 or > 21)
        {
            LogRefused(logger, request.Kind, request.SourceType, "malformed destination");
            return CallbackCreation.Refused("destination is not a phone number");
        }

        var policy = await catalog.GetPolicyAsync(request.Kind, ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var customer = request.CustomerId is { } cid
            ? await conn.QuerySingleOrDefaultAsync<(string? Zone, TimeSpan? PrefStart, TimeSpan? PrefEnd)>(new CommandDefinition(
                "SELECT time_zone, preferred_call_start, preferred_call_end FROM customers WHERE id = @cid", new { cid }, cancellationToken: ct))
            : default;
        var window = await catalog.WindowAsync(policy, customer.Zone,
            customer.PrefStart is { } ps ? TimeOnly.FromTimeSpan(ps) : null, customer.PrefEnd is { } pe ? TimeOnly.FromTimeSpan(pe) : null, ct);
        var firstAt = (window.NextCallable(request.DueAt) ?? request.DueAt).ToUniversalTime();

        await using var tx = await conn.BeginTransactionAsync(ct);
        long? id;
        try
        {
            id = await conn.ExecuteScalarAsync<long?>(new CommandDefinition("""
            INSERT INTO callbacks (kind, source_type, source_id, customer_id, destination, due_at, priority, owner_agent_id,
                                   promise_text, transcript_segment_id, created_by, created_at)
            VALUES (@Kind, @SourceType, @SourceId, @CustomerId, @destination, @DueAt, @priority, @OwnerAgentId,
                    @PromiseText, @TranscriptSegmentId, @CreatedBy, @now)
            ON CONFLICT (source_type, source_id, kind) DO NOTHING
            RETURNING id
            """, new
        {
            request.Kind, request.SourceType, request.SourceId, request.CustomerId, destination, DueAt = request.DueAt.ToUniversalTime(),
            priority = request.Priority ?? policy.Priority, request.OwnerAgentId, request.PromiseText, request.TranscriptSegmentId,
            request.CreatedBy, now = time.GetUtcNow(),
        }, tx, cancellationToken: ct));
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.ForeignKeyViolation or PostgresErrorCodes.CheckViolation)
        {
            // An unknown customer, agent or segment id is bad input, not a crash.
            LogRefused(logger, request.Kind, request.SourceType, ex.ConstraintName ?? ex.SqlState);
            return CallbackCreation.Refused("invalid reference: " + (ex.ConstraintName ?? ex.SqlState));
        }

        if (id is null)
        {
            await tx.RollbackAsync(ct);
            var existing = await conn.ExecuteScalarAsync<long>(new CommandDefinition(
                "SELECT id FROM callbacks WHERE source_type = @SourceType AND source_id = @SourceId AND kind = @Kind", request, cancellationToken: ct));
            return new CallbackCreation(existing, false);
        }

        await conn.ExecuteAsync(new CommandDefinition(
            "INSERT INTO callback_attempts (callback_id, attempt_no, not_before) VALUES (@id, 1, @firstAt)", new { id, firstAt }, tx, cancellationToken: ct));
        await tx.CommitAsync(ct);
        LogCreated(logger, id.Value, request.Kind, request.SourceType, firstAt);
        return new CallbackCreation(id, true);
    }

    /// <summary>Closes open requests of the given kinds for a source and cancels their scheduled attempts.</summary>
    private async Task CloseAsync(string sourceType, string sourceId, string[] kinds, string reason, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        await conn.ExecuteAsync(new CommandDefinition("""
            WITH closed AS (
                UPDATE callbacks SET state = 'completed', close_reason = @reason, closed_at = @now
                WHERE source_type = @sourceType AND source_id = @sourceId AND kind = ANY(@kinds) AND state IN ('open','in_progress')
                RETURNING id)
            UPDATE callback_attempts SET state = 'cancelled', outcome_at = @now, notes = @reason
            WHERE callback_id IN (SELECT id FROM closed) AND state = 'scheduled'
            """, new { sourceType, sourceId, kinds, reason, now = time.GetUtcNow() }, cancellationToken: ct));
    }

    private async Task<CallbackCreation> FromCustomerAsync(string kind, string sourceType, long sourceId, long customerId, DateTimeOffset due, int? owner, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        // Verified numbers only, preferred first (customer_phones.verified: "callbacks dial verified numbers only").
        var number = await conn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            SELECT number FROM customer_phones WHERE customer_id = @customerId AND verified
            ORDER BY is_preferred DESC, id LIMIT 1
            """, new { customerId }, cancellationToken: ct));
        if (number is null)
        {
            LogRefused(logger, kind, sourceType, "customer has no verified number");
            return CallbackCreation.Refused("customer has no verified phone number");
        }

        return await CreateAsync(new NewCallback(kind, sourceType, Id(sourceId), customerId, number, due, "system", owner), ct);
    }

    private CallbackCreation Refused(string error, long id)
    {
        LogSourceMissing(logger, id, error);
        return CallbackCreation.Refused(error);
    }

    private static string Id(long id) => id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    [LoggerMessage(LogLevel.Information, "Callback {CallbackId} ({Kind}) created from {SourceType}, first attempt at {FirstAttemptAt}")]
    private static partial void LogCreated(ILogger logger, long callbackId, string kind, string sourceType, DateTimeOffset firstAttemptAt);

    [LoggerMessage(LogLevel.Warning, "Callback {Kind} from {SourceType} not created: {Reason}")]
    private static partial void LogRefused(ILogger logger, string kind, string sourceType, string reason);

    [LoggerMessage(LogLevel.Warning, "Callback source {SourceId} not created: {Reason}")]
    private static partial void LogSourceMissing(ILogger logger, long sourceId, string reason);
}

/// <summary>Complaint deadlines (004 L257): first reply after N clock hours, result after N working days; warnings before each.</summary>
public sealed record ComplaintDeadlines(DateTimeOffset FirstResponseDue, DateTimeOffset FirstResponseWarn, DateTimeOffset ResolutionDue, DateTimeOffset ResolutionWarn)
{
    public static ComplaintDeadlines Compute(DateTimeOffset created, PolicySettings firstResponse, PolicySettings result, WorkingCalendar calendar, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(firstResponse);
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(calendar);
        var first = created.AddHours(firstResponse.DueHours);
        var resolution = calendar.AddWorkingDays(created, result.DueWorkingDays, zone);
        return new(first, first.AddMinutes(-firstResponse.WarnMinutesBefore), resolution, resolution.AddMinutes(-result.WarnMinutesBefore));
    }
}
