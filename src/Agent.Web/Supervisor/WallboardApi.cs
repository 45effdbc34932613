using CallCenter.Agent.Web.Auth;
using CallCenter.Agent.Web.Desk;
using Dapper;
using Npgsql;

namespace CallCenter.Agent.Web.Supervisor;

/// <summary>
/// One line's queue today: Offered counts calls that left the queue (answered, abandoned after the short-abandon
/// threshold, callback chosen); ServiceLevel = answered within AnswerWithinSeconds / offered; AnswerRate = answered /
/// offered against AnswerRateGoal; waits are queued → agent answer (or → leaving) of the offered calls.
/// </summary>
public sealed record QueueStats(int ServiceLineId, string Code, string NameZh, string NameEn, int Waiting,
    int LongestWaitSeconds, int Offered, int Answered, int AnsweredInTarget, int AnswerWithinSeconds,
    double? ServiceLevel, double? AnswerRate, double AnswerRateGoal, int Abandoned = 0, int CallbacksChosen = 0,
    double? AverageWaitSeconds = null, int? MaxWaitSeconds = null, bool? AnswerRateGoalMet = null);

public sealed record AgentBoardRow(int Id, string Username, string DisplayName, string? EmployeeNo, string State,
    DateTime StateChangedAt, Guid? CallId, string? CallState, string? Caller);

public sealed record LiveCall(Guid CallId, string State, string? Caller, string? LineCode, int? AgentId, string? AgentName,
    DateTime Since);

public sealed record Wallboard(DateTimeOffset At, IReadOnlyList<QueueStats> Queues, IReadOnlyList<AgentBoardRow> Agents,
    IReadOnlyList<LiveCall> LiveCalls, IReadOnlyList<TabooHint> Alerts);

/// <summary>
/// The supervisor wallboard, computed from the calls table (today, China time): waiting callers, longest wait,
/// service level (answered within the line's target), answer rate against the line's goal. Both rates count
/// calls that left the queue today; abandons shorter than Kpi:ShortAbandonSeconds are left out (domain.md §13 #10).
/// </summary>
internal static class WallboardApi
{
    public static RouteGroupBuilder MapWallboardApi(this RouteGroupBuilder api)
    {
        api.MapGet("/wallboard", Get).WithTags("Supervisor").RequireAuthorization(Roles.SupervisorPolicy);
        return api;
    }

    private static async Task<Wallboard> Get(NpgsqlDataSource db, TimeProvider clock, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var queues = (await conn.QueryAsync<QueueRow>(new CommandDefinition("""
            WITH day AS (SELECT (date_trunc('day', now() AT TIME ZONE 'Asia/Shanghai') AT TIME ZONE 'Asia/Shanghai') AS start),
                 short AS (SELECT COALESCE((SELECT value::text::int FROM settings WHERE key = 'Kpi:ShortAbandonSeconds'), 5) AS s)
            SELECT l.id AS ServiceLineId, l.code, l.name_zh AS NameZh, l.name_en AS NameEn,
                   l.answer_within_seconds AS AnswerWithinSeconds, l.answer_rate_goal::float8 AS AnswerRateGoal,
                   count(*) FILTER (WHERE c.state = 'queued')::int AS Waiting,
                   COALESCE(extract(epoch FROM now() - min(c.queued_at) FILTER (WHERE c.state = 'queued')), 0)::int AS LongestWaitSeconds,
                   count(*) FILTER (WHERE c.queued_at >= day.start AND c.state <> 'queued'
                        AND (c.disposition IS DISTINCT FROM 'abandoned' OR c.ended_at - c.queued_at >= make_interval(secs => short.s)))::int AS Offered,
                   count(*) FILTER (WHERE c.queued_at >= day.start AND c.agent_answered_at IS NOT NULL)::int AS Answered,
                   count(*) FILTER (WHERE c.queued_at >= day.start
                        AND c.agent_answered_at - c.queued_at <= make_interval(secs => l.answer_within_seconds))::int AS AnsweredInTarget,
                   count(*) FILTER (WHERE c.queued_at >= day.start AND c.agent_answered_at IS NULL AND c.disposition = 'abandoned'
                        AND c.ended_at - c.queued_at >= make_interval(secs => short.s))::int AS Abandoned,
                   count(*) FILTER (WHERE c.queued_at >= day.start AND c.disposition = 'callback_offered')::int AS CallbacksChosen,
                   avg(extract(epoch FROM coalesce(c.agent_answered_at, c.ended_at) - c.queued_at)::float8)
                       FILTER (WHERE c.queued_at >= day.start AND c.state <> 'queued'
                        AND (c.disposition IS DISTINCT FROM 'abandoned' OR c.ended_at - c.queued_at >= make_interval(secs => short.s))) AS AverageWaitSeconds,
                   max(extract(epoch FROM coalesce(c.agent_answered_at, c.ended_at) - c.queued_at))
                       FILTER (WHERE c.queued_at >= day.start AND c.state <> 'queued')::int AS MaxWaitSeconds
              FROM service_lines l CROSS JOIN day CROSS JOIN short
              LEFT JOIN calls c ON c.service_line_id = l.id AND c.direction = 'inbound'
                   AND (c.state = 'queued' OR c.queued_at >= day.start)
             WHERE l.active
             GROUP BY l.id, day.start, short.s ORDER BY l.id
            """, cancellationToken: ct))).Select(q => new QueueStats(q.ServiceLineId, q.Code, q.NameZh, q.NameEn, q.Waiting,
                q.LongestWaitSeconds, q.Offered, q.Answered, q.AnsweredInTarget, q.AnswerWithinSeconds,
                q.Offered == 0 ? null : (double)q.AnsweredInTarget / q.Offered,
                q.Offered == 0 ? null : (double)q.Answered / q.Offered, q.AnswerRateGoal, q.Abandoned, q.CallbacksChosen,
                q.AverageWaitSeconds is { } avg ? Math.Round(avg, 1) : null, q.MaxWaitSeconds,
                q.Offered == 0 ? null : (double)q.Answered / q.Offered >= q.AnswerRateGoal)).ToList();

        var agents = (await conn.QueryAsync<AgentBoardRow>(new CommandDefinition("""
            SELECT a.id, a.username, a.display_name AS DisplayName, a.employee_no AS EmployeeNo,
                   CASE WHEN d.state = 'ringing' THEN 'ringing' WHEN d.state = 'connected' THEN 'on_call' ELSE a.state END AS State,
                   a.state_changed_at AS StateChangedAt, d.call_id AS CallId, d.state AS CallState, d.caller_number AS Caller
              FROM agents a
              LEFT JOIN LATERAL (SELECT * FROM agent_desk_calls x WHERE x.agent_id = a.id AND x.closed_at IS NULL
                                  ORDER BY x.rang_at DESC LIMIT 1) d ON true
             WHERE a.active AND 'agent' = ANY(a.roles) ORDER BY a.id
            """, cancellationToken: ct))).Select(a => a with { Caller = Mask(a.Caller) }).ToList();

        var live = (await conn.QueryAsync<LiveCall>(new CommandDefinition("""
            SELECT d.call_id AS CallId, d.state, d.caller_number AS Caller, d.line_code AS LineCode, d.agent_id AS AgentId,
                   a.display_name AS AgentName, d.rang_at AS Since
              FROM agent_desk_calls d JOIN agents a ON a.id = d.agent_id
             WHERE d.closed_at IS NULL AND d.state IN ('ringing','connected')
            UNION ALL
            SELECT c.id, c.state, c.caller_number, l.code, c.agent_id, a.display_name, c.started_at
              FROM calls c LEFT JOIN service_lines l ON l.id = c.service_line_id LEFT JOIN agents a ON a.id = c.agent_id
             WHERE c.state <> 'ended' AND c.started_at > now() - interval '1 day'
               AND NOT EXISTS (SELECT 1 FROM agent_desk_calls d WHERE d.call_id = c.id)
             ORDER BY Since LIMIT 200
            """, cancellationToken: ct))).Select(c => c with { Caller = Mask(c.Caller) }).ToList();

        var alerts = (await conn.QueryAsync<TabooHint>(new CommandDefinition($"""
            SELECT {ScreenPopBuilder.TabooHintColumns}
             WHERE r.kind = 'taboo' AND h.created_at > now() - interval '1 day' ORDER BY h.id DESC LIMIT 30
            """, cancellationToken: ct))).ToList();
        return new Wallboard(clock.GetUtcNow(), queues, agents, live, alerts);
    }

    /// <summary>Wallboards are seen by the whole room: the middle of a number is masked.</summary>
    public static string? Mask(string? number) => number is { Length: >= 7 }
        ? number[..3] + new string('*', number.Length - 7) + number[^4..]
        : number;

    private sealed record QueueRow(int ServiceLineId, string Code, string NameZh, string NameEn, int AnswerWithinSeconds,
        double AnswerRateGoal, int Waiting, int LongestWaitSeconds, int Offered, int Answered, int AnsweredInTarget, int Abandoned,
        int CallbacksChosen, double? AverageWaitSeconds, int? MaxWaitSeconds);
}
