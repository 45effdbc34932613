using Dapper;
using Npgsql;

namespace CallCenter.Agent.Web.Supervisor;

/// <summary>
/// Service-level figures per line from the calls table (today, China time): waiting callers, longest current wait,
/// offered, answered, answered within the line's target (service level), answer rate against the line's goal,
/// abandoned (after Kpi:ShortAbandonSeconds), callbacks chosen in the queue, average and longest wait, and calls that
/// found the line closed (outside its own business hours; never queued, so in none of the other figures).
/// </summary>
internal static class ServiceLevel
{
    public static async Task<List<QueueStats>> QueuesAsync(NpgsqlConnection conn, CancellationToken ct)
    {
        return (await conn.QueryAsync<QueueRow>(new CommandDefinition("""
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
                       FILTER (WHERE c.queued_at >= day.start AND c.state <> 'queued')::int AS MaxWaitSeconds,
                   count(*) FILTER (WHERE c.disposition = 'closed' AND c.started_at >= day.start)::int AS Closed
              FROM service_lines l CROSS JOIN day CROSS JOIN short
              LEFT JOIN calls c ON c.service_line_id = l.id AND c.direction = 'inbound'
                   AND (c.state = 'queued' OR c.queued_at >= day.start OR (c.disposition = 'closed' AND c.started_at >= day.start))
             WHERE l.active
             GROUP BY l.id, day.start, short.s ORDER BY l.id
            """, cancellationToken: ct))).Select(q => new QueueStats(q.ServiceLineId, q.Code, q.NameZh, q.NameEn, q.Waiting,
                q.LongestWaitSeconds, q.Offered, q.Answered, q.AnsweredInTarget, q.AnswerWithinSeconds,
                q.Offered == 0 ? null : (double)q.AnsweredInTarget / q.Offered,
                q.Offered == 0 ? null : (double)q.Answered / q.Offered, q.AnswerRateGoal, q.Abandoned, q.CallbacksChosen,
                q.AverageWaitSeconds is { } avg ? Math.Round(avg, 1) : null, q.MaxWaitSeconds,
                q.Offered == 0 ? null : (double)q.Answered / q.Offered >= q.AnswerRateGoal, q.Closed)).ToList();
    }

    private sealed record QueueRow(int ServiceLineId, string Code, string NameZh, string NameEn, int AnswerWithinSeconds,
        double AnswerRateGoal, int Waiting, int LongestWaitSeconds, int Offered, int Answered, int AnsweredInTarget, int Abandoned,
        int CallbacksChosen, double? AverageWaitSeconds, int? MaxWaitSeconds, int Closed);
}
