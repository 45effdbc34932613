using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CallCenter.Agent.Web.Api;
using CallCenter.Agent.Web.Auth;
using CallCenter.Callbacks.Execution;
using CallCenter.Callbacks.Queries;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CallCenter.Agent.Web.Callbacks;

public sealed record RescheduleRequest(
    [property: Required] DateTimeOffset? At,
    [property: Required, StringLength(200, MinimumLength = 2)] string Reason);

public sealed record CancelRequest([property: Required, StringLength(200, MinimumLength = 2)] string Reason);

public sealed record ResolveRequest(
    [property: Required, RegularExpression("^(answered|busy|no_answer|rejected|failed)$")] string Outcome,
    [property: RegularExpression("^[0-9*#]{1,8}$")] string? Dtmf,
    [property: Required, StringLength(200, MinimumLength = 2)] string Reason);

/// <summary>An agent's own open callback (read-only; the number masked like the supervisor lists).</summary>
public sealed record OwnCallback(long CallbackId, string Kind, string State, string Destination, DateTime DueAt, DateTime? NextAttemptAt, int AttemptNo);

/// <summary>
/// The supervisor's callbacks page (issue 8): due, overdue, in progress and unknown-outcome attempts, counts per
/// type, open deadline alerts, every attempt of a request; manual reschedule, cancel and resolve (all audited).
/// </summary>
internal static class CallbacksApi
{
    /// <summary>Rescheduling further than this is a typo, not a plan (the longest policy tail is weeks).</summary>
    public static readonly TimeSpan MaxRescheduleHorizon = TimeSpan.FromDays(90);

    private const int ListLimit = 200;

    public static RouteGroupBuilder MapCallbacksApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/callbacks").WithTags("Callbacks").RequireAuthorization(Roles.SupervisorPolicy);
        group.MapGet("/due", (CallbackQueries q, int? hours, CancellationToken ct) =>
            q.DueAsync(TimeSpan.FromHours(Math.Clamp(hours ?? 24, 0, 24 * 14)), ListLimit, ct));
        group.MapGet("/overdue", (CallbackQueries q, int? graceMinutes, CancellationToken ct) =>
            q.OverdueAsync(TimeSpan.FromMinutes(Math.Clamp(graceMinutes ?? 5, 0, 24 * 60)), ListLimit, ct));
        group.MapGet("/in-progress", (CallbackQueries q, CancellationToken ct) => q.InProgressAsync(ListLimit, ct));
        group.MapGet("/unknown", (CallbackQueries q, CancellationToken ct) => q.UnknownAsync(ListLimit, ct));
        group.MapGet("/summary", (CallbackQueries q, CancellationToken ct) => q.SummaryAsync(ct));
        group.MapGet("/alerts", (CallbackQueries q, CancellationToken ct) => q.OpenAlertsAsync(ListLimit, ct));
        group.MapGet("/{id:long}/attempts", History);
        api.MapGet("/callbacks/mine", Mine).WithTags("Callbacks").RequireAuthorization(Roles.AgentPolicy);
        group.MapPost("/{id:long}/reschedule", Reschedule);
        group.MapPost("/{id:long}/cancel", Cancel);
        group.MapPost("/attempts/{attemptId:long}/resolve", Resolve);
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<AttemptHistoryItem>>, NotFound>> History(long id, CallbackQueries q,
        NpgsqlDataSource db, CancellationToken ct)
    {
        if (await StateOfAsync(db, CallbackState, id, ct) is null)
        {
            return TypedResults.NotFound();
        }

        return TypedResults.Ok(await q.HistoryAsync(id, ct));
    }

    private static async Task<Results<NoContent, NotFound, Conflict<string>, ValidationProblem>> Reschedule(long id,
        RescheduleRequest request, HttpContext http, CallbackQueries q, NpgsqlDataSource db, TimeProvider clock)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        var now = clock.GetUtcNow();
        var at = request.At!.Value;
        if (at <= now || at > now + MaxRescheduleHorizon)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["at"] = [$"must be in the future and within {MaxRescheduleHorizon.TotalDays:0} days"],
            });
        }

        if (await StateOfAsync(db, CallbackState, id, http.RequestAborted) is null)
        {
            return TypedResults.NotFound();
        }

        // CallbackQueries writes the audit row in the same transaction as the change.
        return await q.RescheduleAsync(id, at, AuditLog.ActorOf(http.User), request.Reason, http.RequestAborted)
            ? TypedResults.NoContent()
            : TypedResults.Conflict("the callback is closed");
    }

    private static async Task<Results<NoContent, NotFound, Conflict<string>, ValidationProblem>> Cancel(long id,
        CancelRequest request, HttpContext http, CallbackQueries q, NpgsqlDataSource db)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await StateOfAsync(db, CallbackState, id, http.RequestAborted) is null)
        {
            return TypedResults.NotFound();
        }

        return await q.CancelAsync(id, AuditLog.ActorOf(http.User), request.Reason, http.RequestAborted)
            ? TypedResults.NoContent()
            : TypedResults.Conflict("the callback is closed");
    }

    private static async Task<Results<NoContent, NotFound, Conflict<string>, ValidationProblem>> Resolve(long attemptId,
        ResolveRequest request, HttpContext http, CallbackQueries q, NpgsqlDataSource db, AuditLog audit)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (await StateOfAsync(db, AttemptState, attemptId, http.RequestAborted) is null)
        {
            return TypedResults.NotFound();
        }

        var outcome = request.Outcome switch
        {
            "answered" => DialOutcome.Answered,
            "busy" => DialOutcome.Busy,
            "no_answer" => DialOutcome.NoAnswer,
            "rejected" => DialOutcome.Rejected,
            _ => DialOutcome.Failed,
        };
        var actor = AuditLog.ActorOf(http.User);
        if (!await q.ResolveUnknownAsync(attemptId, new DialResult(outcome, request.Dtmf, request.Reason), actor, http.RequestAborted))
        {
            return TypedResults.Conflict("the attempt's outcome is not unknown");
        }

        await audit.WriteAsync(http, "callback.resolve", "callback_attempt", attemptId.ToString(CultureInfo.InvariantCulture),
            request.Reason, new { request.Outcome });
        return TypedResults.NoContent();
    }

    private static async Task<IReadOnlyList<OwnCallback>> Mine(HttpContext http, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = await conn.QueryAsync<OwnCallback>(new CommandDefinition("""
            SELECT c.id AS CallbackId, c.kind AS Kind, c.state AS State,
                   CASE WHEN length(c.destination) <= 4 THEN '****'
                        ELSE repeat('*', length(c.destination) - 4) || right(c.destination, 4) END AS Destination,
                   c.due_at AS DueAt, a.not_before AS NextAttemptAt, coalesce(a.attempt_no, 0) AS AttemptNo
            FROM callbacks c
            LEFT JOIN LATERAL (SELECT not_before, attempt_no FROM callback_attempts
                               WHERE callback_id = c.id AND state = 'scheduled' ORDER BY attempt_no DESC LIMIT 1) a ON true
            WHERE c.owner_agent_id = @agentId AND c.state IN ('open','in_progress')
            ORDER BY coalesce(a.not_before, c.due_at) LIMIT 200
            """, new { agentId = http.User.AgentId() }, cancellationToken: ct));
        return rows.AsList();
    }

    private const string CallbackState = "SELECT state FROM callbacks WHERE id = @id";
    private const string AttemptState = "SELECT state FROM callback_attempts WHERE id = @id";

    private static async Task<string?> StateOfAsync(NpgsqlDataSource db, string sql, long id, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.ExecuteScalarAsync<string?>(new CommandDefinition(sql, new { id }, cancellationToken: ct));
    }
}
