using CallCenter.Agent.Web.Auth;
using CallCenter.Agent.Web.Customers;
using CallCenter.Agent.Web.Desk;
using CallCenter.Telephony;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Npgsql;

namespace CallCenter.Agent.Web.Supervisor;

public sealed record CallSearchRow(Guid CallId, DateTime StartedAt, DateTime? EndedAt, string? CallerNumber, string? LineCode,
    string? AgentName, string? Disposition, string? WrapUpCode, int Segments, int TabooHits, int Recordings);

/// <summary>
/// Supervisors search calls (caller, agent, day range, words said) and play recordings in the browser. Every
/// search and every playback is audited; the audit row holds the filters used, never the words searched for.
/// </summary>
internal static class CallSearchApi
{
    public static RouteGroupBuilder MapCallSearchApi(this RouteGroupBuilder api)
    {
        api.MapGet("/calls", Search).WithTags("Calls").RequireAuthorization(Roles.SupervisorPolicy);
        api.MapGet("/calls/{callId:guid}/recordings/{recordingId:long}", Play).WithTags("Calls");
        return api;
    }

    private static async Task<Results<Ok<IReadOnlyList<CallSearchRow>>, ValidationProblem>> Search(string? caller, string? agent,
        DateOnly? from, DateOnly? to, string? text, HttpContext http, NpgsqlDataSource db, AuditLog audit)
    {
        var digits = caller is null ? null : PhoneNumbers.Normalize(caller);
        if ((caller is not null && digits is null) || text is { Length: > 50 } || agent is { Length: > 64 })
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["query"] = ["caller: 3-20 digits; text: at most 50 characters; agent: a username"],
            });
        }

        // LIKE wildcards in the words are literal, not patterns.
        var like = text is { Length: > 0 } ? "%" + text.Replace("\\", "\\\\", StringComparison.Ordinal)
            .Replace("%", "\\%", StringComparison.Ordinal).Replace("_", "\\_", StringComparison.Ordinal) + "%" : null;
        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var rows = (await conn.QueryAsync<CallSearchRow>(new CommandDefinition("""
            SELECT c.id AS CallId, c.started_at AS StartedAt, c.ended_at AS EndedAt, c.caller_number AS CallerNumber,
                   l.code AS LineCode, a.display_name AS AgentName, c.disposition, c.wrap_up_code AS WrapUpCode,
                   (SELECT count(*)::int FROM transcript_segments s WHERE s.call_id = c.id) AS Segments,
                   (SELECT count(*)::int FROM screening_hits h WHERE h.call_id = c.id) AS TabooHits,
                   (SELECT count(*)::int FROM recordings r WHERE r.call_id = c.id AND r.deleted_at IS NULL) AS Recordings
              FROM calls c LEFT JOIN service_lines l ON l.id = c.service_line_id LEFT JOIN agents a ON a.id = c.agent_id
             WHERE (@digits::text IS NULL OR c.caller_number = @digits)
               AND (@agent::text IS NULL OR a.username = @agent)
               AND (@from::date IS NULL OR c.started_at >= (@from::date::timestamp AT TIME ZONE 'Asia/Shanghai'))
               AND (@to::date IS NULL OR c.started_at < ((@to::date + 1)::timestamp AT TIME ZONE 'Asia/Shanghai'))
               AND (@like::text IS NULL OR EXISTS (SELECT 1 FROM transcript_segments s WHERE s.call_id = c.id AND s.text LIKE @like))
             ORDER BY c.started_at DESC LIMIT 100
            """, new { digits, agent, from, to, like }, cancellationToken: http.RequestAborted))).ToList();
        await audit.WriteAsync(http, "call_search", "calls", null, details: new
        {
            caller = digits is null ? null : WallboardApi.Mask(digits), agent, from, to, text = like is not null, results = rows.Count,
        });
        return TypedResults.Ok<IReadOnlyList<CallSearchRow>>(rows);
    }

    private static async Task<Results<PhysicalFileHttpResult, NotFound, ForbidHttpResult>> Play(Guid callId, long recordingId,
        HttpContext http, NpgsqlDataSource db, DeskStore desk, AuditLog audit, IOptions<TelephonyOptions> telephony)
    {
        if (!await CallsApi.MayReadAsync(http.User, callId, db, desk, http.RequestAborted))
        {
            return TypedResults.Forbid();
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var path = await conn.ExecuteScalarAsync<string?>(new CommandDefinition(
            "SELECT path FROM recordings WHERE id = @recordingId AND call_id = @callId AND deleted_at IS NULL",
            new { recordingId, callId }, cancellationToken: http.RequestAborted));
        // Only files under the recordings folder are served, whatever a row says.
        var root = Path.GetFullPath(telephony.Value.RecordingsPath) + Path.DirectorySeparatorChar;
        var full = path is null ? null : Path.GetFullPath(path);
        if (full is null || !full.StartsWith(root, StringComparison.Ordinal) || !File.Exists(full))
        {
            return TypedResults.NotFound();
        }

        await audit.WriteAsync(http, "recording_play", "call", callId.ToString(), details: new { recordingId });
        return TypedResults.PhysicalFile(full, "audio/wav", enableRangeProcessing: true);
    }
}
