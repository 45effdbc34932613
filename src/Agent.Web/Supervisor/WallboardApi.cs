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
    double? AverageWaitSeconds = null, int? MaxWaitSeconds = null, bool? AnswerRateGoalMet = null, int ClosedCalls = 0);

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
        var queues = await ServiceLevel.QueuesAsync(conn, ct);

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
}
