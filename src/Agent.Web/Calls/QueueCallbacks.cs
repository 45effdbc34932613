using System.ComponentModel.DataAnnotations;
using CallCenter.Callbacks.Requests;
using CallCenter.Telephony.Calls;
using Dapper;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Agent.Web.Calls;

/// <summary>Settings of the queue callbacks (section "QueueCallbacks").</summary>
public sealed class QueueCallbackOptions
{
    public const string Section = "QueueCallbacks";

    /// <summary>How often ended calls are checked for a missing callback request (also once at start).</summary>
    [Range(5, 86_400)]
    public int ReconcileIntervalSeconds { get; set; } = 60;

    /// <summary>How far back the check looks: calls that ended longer ago get no request any more.</summary>
    [Range(1, 168)]
    public int LookbackHours { get; set; } = 24;
}

/// <summary>
/// Callers the queue lost get a callback request: pressed 1 at the offer (disposition 'callback_offered') →
/// 'queue_callback'; hung up while queued or during the announcement (abandoned by the caller after our answer,
/// before an agent) or heard that the line is closed (disposition 'closed', answered) → 'abandoned'. The calls row is the truth: the bus only makes it quick, and a reconciliation at
/// start and every few minutes creates whatever a restart or a dropped event missed. Idempotent per call (UNIQUE on
/// source), and a number that already has an open queue or abandoned callback gets no second one. Withheld numbers
/// get none. Lives in the host because Telephony must not reference Callbacks.
/// </summary>
public sealed partial class QueueCallbacks(CallEventBus bus, CallbackRequests requests, NpgsqlDataSource db, IOptions<QueueCallbackOptions> options,
    TimeProvider time, ILogger<QueueCallbacks> logger) : BackgroundService
{
    // A call qualifies when this holds for the row aliased c.
    private const string Qualifies = """
        c.direction = 'inbound' AND (c.disposition = 'callback_offered'
            OR (c.disposition = 'closed' AND c.answered_at IS NOT NULL)
            OR (c.disposition = 'abandoned' AND c.ended_by = 'caller' AND c.answered_at IS NOT NULL AND c.agent_answered_at IS NULL))
        """;

    protected override Task ExecuteAsync(CancellationToken stoppingToken) =>
        Task.WhenAll(FollowEventsAsync(stoppingToken), ReconcileLoopAsync(stoppingToken));

    private async Task FollowEventsAsync(CancellationToken ct)
    {
        await foreach (var e in bus.SubscribeAsync(cancellationToken: ct))
        {
            var relevant = e is QueueCallbackRequested || e is CallEnded { Disposition: "abandoned" or "callback_offered" or "closed" };
            if (!relevant)
            {
                continue;
            }

            try
            {
                await EnsureForCallAsync(e.CallId, e is QueueCallbackRequested, ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogFailed(logger, ex, e.CallId); // the reconciliation tries again
            }
        }
    }

    private async Task ReconcileLoopAsync(CancellationToken ct)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(options.Value.ReconcileIntervalSeconds), time);
        do
        {
            try
            {
                await ReconcileAsync(ct);
            }
            catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                LogReconcileFailed(logger, ex);
            }
        }
        while (await WaitAsync(timer, ct));
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken ct)
    {
        try
        {
            return await timer.WaitForNextTickAsync(ct);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <summary>Creates the missing requests for qualifying calls that ended within the look-back; returns how many.</summary>
    public async Task<int> ReconcileAsync(CancellationToken ct)
    {
        IReadOnlyList<Guid> ids;
        await using (var conn = await db.OpenConnectionAsync(ct))
        {
            ids = (await conn.QueryAsync<Guid>(new CommandDefinition($"""
                SELECT c.id FROM calls c
                 WHERE c.ended_at > @since AND c.caller_number IS NOT NULL AND {Qualifies}
                   AND NOT EXISTS (SELECT 1 FROM callbacks b WHERE b.source_id = c.id::text
                                      AND (b.source_type, b.kind) IN (('queue','queue_callback'), ('call','abandoned')))
                   AND NOT EXISTS (SELECT 1 FROM callbacks b WHERE b.destination = c.caller_number
                                      AND b.kind IN ('queue_callback','abandoned') AND b.state IN ('open','in_progress'))
                 ORDER BY c.ended_at LIMIT 500
                """, new { since = time.GetUtcNow().AddHours(-options.Value.LookbackHours) }, cancellationToken: ct))).ToList();
        }

        var created = 0;
        foreach (var id in ids)
        {
            if ((await EnsureForCallAsync(id, chosen: false, ct))?.Created == true)
            {
                created++;
            }
        }

        if (created > 0)
        {
            LogReconciled(logger, created);
        }

        return created;
    }

    /// <summary>
    /// The request a call calls for, created once; null when it calls for none (answered, withheld number, or the
    /// number already has an open queue callback). <paramref name="chosen"/>: the caller pressed 1 (the row may not
    /// be closed yet).
    /// </summary>
    public async Task<CallbackCreation?> EnsureForCallAsync(Guid callId, bool chosen, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var call = await conn.QuerySingleOrDefaultAsync<CallRow>(new CommandDefinition($"""
            SELECT c.caller_number AS CallerNumber,
                   coalesce(c.customer_id, (SELECT p.customer_id FROM customer_phones p WHERE p.number = c.caller_number
                                             ORDER BY p.verified DESC, p.id LIMIT 1)) AS CustomerId,
                   c.disposition = 'callback_offered' AS CallbackChosen, {Qualifies} AS Qualifies
              FROM calls c WHERE c.id = @callId
            """, new { callId }, cancellationToken: ct));
        if (call is null || !(call.Qualifies == true || chosen))
        {
            return null;
        }

        var kind = chosen || call.CallbackChosen == true ? "queue_callback" : "abandoned";
        if (string.IsNullOrEmpty(call.CallerNumber))
        {
            LogWithheld(logger, callId, kind);
            return null;
        }

        var covered = await conn.ExecuteScalarAsync<bool>(new CommandDefinition("""
            SELECT EXISTS (SELECT 1 FROM callbacks WHERE destination = @number AND kind IN ('queue_callback','abandoned')
                              AND state IN ('open','in_progress') AND source_id <> @source)
            """, new { number = call.CallerNumber, source = callId.ToString() }, cancellationToken: ct));
        if (covered)
        {
            LogCovered(logger, callId, kind);
            return null;
        }

        var created = kind == "queue_callback"
            ? await requests.QueueCallbackAsync(callId.ToString(), call.CallerNumber, call.CustomerId, ct)
            : await requests.AbandonedCallAsync(callId.ToString(), call.CallerNumber, call.CustomerId, ct);
        if (created.Created)
        {
            LogCreated(logger, callId, kind, created.CallbackId);
        }

        return created;
    }

    private sealed record CallRow(string? CallerNumber, long? CustomerId, bool? CallbackChosen, bool? Qualifies);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: {Kind} callback {CallbackId} created")]
    private static partial void LogCreated(ILogger logger, Guid callId, string kind, long? callbackId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: no {Kind} callback, the caller's number was withheld")]
    private static partial void LogWithheld(ILogger logger, Guid callId, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Call {CallId}: no {Kind} callback, the number already has an open one")]
    private static partial void LogCovered(ILogger logger, Guid callId, string kind);

    [LoggerMessage(Level = LogLevel.Information, Message = "Queue callbacks reconciled: {Created} missing requests created")]
    private static partial void LogReconciled(ILogger logger, int created);

    [LoggerMessage(Level = LogLevel.Error, Message = "Call {CallId} could not be turned into a queue callback; the reconciliation retries")]
    private static partial void LogFailed(ILogger logger, Exception ex, Guid callId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Queue callback reconciliation failed; it runs again at the next interval")]
    private static partial void LogReconcileFailed(ILogger logger, Exception ex);
}

public static class QueueCallbacksModule
{
    /// <summary>Registers <see cref="QueueCallbacks"/> (needs AddTelephony's bus and AddCallbacks' requests).</summary>
    public static IHostApplicationBuilder AddQueueCallbacks(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<QueueCallbackOptions>().BindConfiguration(QueueCallbackOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<QueueCallbacks>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<QueueCallbacks>());
        return builder;
    }
}
