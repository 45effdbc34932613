using System.Security.Claims;
using CallCenter.Agent.Web.Auth;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CallCenter.Agent.Web.Desk;

public sealed record RecordingView(long Id, string? LegRole, long? DurationMs, bool Complete);

public sealed record CallView(Guid CallId, int? AgentId, string? State, string? CallerNumber, string? DialedNumber,
    string? LineCode, DateTime? StartedAt, DateTime? EndedAt, string? WrapUpCode,
    IReadOnlyList<TranscriptLine> Transcript, IReadOnlyList<TabooHint> Hints, IReadOnlyList<RecordingView> Recordings);

/// <summary>
/// One call with its transcript: the agent who took it, any supervisor, QA for sampled calls. Admins have
/// no transcript access by default (reliability.md §4). Each view is audited; the audit row holds no text.
/// </summary>
internal static class CallsApi
{
    public static RouteGroupBuilder MapCallsApi(this RouteGroupBuilder api)
    {
        api.MapGet("/calls/{callId:guid}", Get).WithTags("Calls");
        return api;
    }

    private static async Task<Results<Ok<CallView>, NotFound, ForbidHttpResult>> Get(Guid callId, HttpContext http,
        NpgsqlDataSource db, DeskStore desk, AuditLog audit)
    {
        var ct = http.RequestAborted;
        var user = http.User;
        if (!await MayReadAsync(user, callId, db, desk, ct))
        {
            return TypedResults.Forbid();
        }

        await using var conn = await db.OpenConnectionAsync(ct);
        var head = await conn.QuerySingleOrDefaultAsync<Head>(new CommandDefinition("""
            SELECT COALESCE(d.call_id, c.id) AS CallId, COALESCE(d.agent_id, c.agent_id) AS AgentId,
                   COALESCE(d.state, c.state) AS State, COALESCE(d.caller_number, c.caller_number) AS CallerNumber,
                   COALESCE(d.dialed_number, c.dialed_number) AS DialedNumber, COALESCE(d.line_code, l.code) AS LineCode,
                   COALESCE(c.started_at, d.rang_at) AS StartedAt, COALESCE(c.ended_at, d.ended_at) AS EndedAt,
                   COALESCE(d.wrap_up_code, c.wrap_up_code) AS WrapUpCode
              FROM (SELECT @callId AS id) k
              LEFT JOIN agent_desk_calls d ON d.call_id = k.id
              LEFT JOIN calls c ON c.id = k.id
              LEFT JOIN service_lines l ON l.id = c.service_line_id
             WHERE d.call_id IS NOT NULL OR c.id IS NOT NULL
            """, new { callId }, cancellationToken: ct));
        if (head is null)
        {
            return TypedResults.NotFound();
        }

        var transcript = (await conn.QueryAsync<TranscriptLine>(new CommandDefinition("""
            SELECT call_id AS CallId, id, speaker, seq, start_ms AS StartMs, text, suspect
              FROM transcript_segments WHERE call_id = @callId ORDER BY start_ms, id LIMIT 2000
            """, new { callId }, cancellationToken: ct))).ToList();
        var hints = (await conn.QueryAsync<TabooHint>(new CommandDefinition(
            $"SELECT {ScreenPopBuilder.TabooHintColumns} WHERE h.call_id = @callId ORDER BY h.id",
            new { callId }, cancellationToken: ct))).ToList();
        var recordings = (await conn.QueryAsync<RecordingView>(new CommandDefinition("""
            SELECT id, leg_role AS LegRole, duration_ms AS DurationMs, complete FROM recordings
             WHERE call_id = @callId AND deleted_at IS NULL ORDER BY id
            """, new { callId }, cancellationToken: ct))).ToList();
        await audit.WriteAsync(http, "transcript_view", "call", callId.ToString());
        return TypedResults.Ok(new CallView(head.CallId, head.AgentId, head.State, head.CallerNumber, head.DialedNumber,
            head.LineCode, head.StartedAt, head.EndedAt, head.WrapUpCode, transcript, hints, recordings));
    }

    public static async Task<bool> MayReadAsync(ClaimsPrincipal user, Guid callId, NpgsqlDataSource db, DeskStore desk, CancellationToken ct)
    {
        if (user.IsInRole(Roles.Supervisor))
        {
            return true;
        }

        if (user.IsInRole(Roles.Agent) && await desk.IsAgentsCallAsync(user.AgentId(), callId, ct))
        {
            return true;
        }

        if (user.IsInRole(Roles.Qa))
        {
            await using var conn = await db.OpenConnectionAsync(ct);
            return await conn.ExecuteScalarAsync<bool>(new CommandDefinition(
                "SELECT EXISTS (SELECT 1 FROM qa_samples WHERE call_id = @callId AND reviewer_id = @me)", // assigned to them only (issue 9)
                new { callId, me = user.AgentId() }, cancellationToken: ct));
        }

        return false;
    }

    private sealed record Head(Guid CallId, int? AgentId, string? State, string? CallerNumber, string? DialedNumber,
        string? LineCode, DateTime? StartedAt, DateTime? EndedAt, string? WrapUpCode);
}
