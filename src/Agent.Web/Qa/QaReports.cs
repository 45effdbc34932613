using System.Globalization;
using System.Text;
using Dapper;
using Npgsql;

namespace CallCenter.Agent.Web.Qa;

/// <summary>One agent in one week: evaluations, mean score, grade counts, required-phrase compliance.</summary>
public sealed record QaReportRow(DateTime Week, int AgentId, string AgentName, string? Team, int Evaluations, decimal? AverageScore,
    int Excellent, int Good, int Fair, int Fail, int RequiredChecks, int RequiredPassed);

public sealed record QaTabooCount(string Category, int Hits);

public sealed record QaReport(IReadOnlyList<QaReportRow> Rows, IReadOnlyList<QaTabooCount> TopTabooCategories);

/// <summary>Reports per agent and team over time, from submitted evaluations of sampled calls.</summary>
public sealed class QaReports(NpgsqlDataSource db)
{
    public async Task<QaReport> BuildAsync(DateOnly from, DateOnly to, int? teamId, CancellationToken ct)
    {
        var args = new { from = from.ToDateTime(TimeOnly.MinValue), to = to.ToDateTime(TimeOnly.MinValue), teamId };
        await using var conn = await db.OpenConnectionAsync(ct);
        var rows = (await conn.QueryAsync<QaReportRow>(new CommandDefinition("""
            SELECT date_trunc('week', e.submitted_at)::timestamp AS Week, a.id AS AgentId, a.display_name AS AgentName, t.name AS Team,
                   count(*)::int AS Evaluations, round(avg(e.total_score), 1) AS AverageScore,
                   count(*) FILTER (WHERE e.grade = 'excellent')::int AS Excellent,
                   count(*) FILTER (WHERE e.grade = 'good')::int AS Good,
                   count(*) FILTER (WHERE e.grade = 'fair')::int AS Fair,
                   count(*) FILTER (WHERE e.grade = 'fail')::int AS Fail,
                   COALESCE(sum((SELECT count(*) FROM required_phrase_results r WHERE r.call_id = s.call_id)), 0)::int AS RequiredChecks,
                   COALESCE(sum((SELECT count(*) FROM required_phrase_results r WHERE r.call_id = s.call_id AND r.passed)), 0)::int AS RequiredPassed
              FROM qa_evaluations e JOIN qa_samples s ON s.id = e.sample_id JOIN agents a ON a.id = s.agent_id
              LEFT JOIN teams t ON t.id = a.team_id
             WHERE e.status <> 'draft' AND e.submitted_at >= @from::date AND e.submitted_at < @to::date + 1
               AND (@teamId::int IS NULL OR a.team_id = @teamId)
             GROUP BY 1, a.id, a.display_name, t.name ORDER BY 1, a.display_name
            """, args, cancellationToken: ct))).ToList();
        var taboo = (await conn.QueryAsync<QaTabooCount>(new CommandDefinition("""
            SELECT COALESCE(r.category, r.code) AS Category, count(*)::int AS Hits
              FROM qa_evaluations e JOIN qa_samples s ON s.id = e.sample_id JOIN agents a ON a.id = s.agent_id
              JOIN screening_hits h ON h.call_id = s.call_id AND h.speaker = 'agent' AND h.qa_status <> 'overridden'
              JOIN screening_rules r ON r.id = h.rule_id AND r.kind = 'taboo'
             WHERE e.status <> 'draft' AND e.submitted_at >= @from::date AND e.submitted_at < @to::date + 1
               AND (@teamId::int IS NULL OR a.team_id = @teamId)
             GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT 10
            """, args, cancellationToken: ct))).ToList();
        return new QaReport(rows, taboo);
    }

    /// <summary>RFC 4180 CSV; cells starting with = + - @ are prefixed with ' so spreadsheets never run them as formulas.</summary>
    public static string ToCsv(QaReport report)
    {
        var csv = new StringBuilder();
        csv.Append("week,agent,team,evaluations,average_score,excellent,good,fair,fail,required_checks,required_passed\r\n");
        foreach (var r in report.Rows)
        {
            csv.AppendJoin(',',
                r.Week.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture), Cell(r.AgentName), Cell(r.Team ?? ""),
                r.Evaluations.ToString(CultureInfo.InvariantCulture),
                r.AverageScore?.ToString("0.0", CultureInfo.InvariantCulture) ?? "",
                r.Excellent.ToString(CultureInfo.InvariantCulture), r.Good.ToString(CultureInfo.InvariantCulture),
                r.Fair.ToString(CultureInfo.InvariantCulture), r.Fail.ToString(CultureInfo.InvariantCulture),
                r.RequiredChecks.ToString(CultureInfo.InvariantCulture), r.RequiredPassed.ToString(CultureInfo.InvariantCulture));
            csv.Append("\r\n");
        }

        return csv.ToString();
    }

    public static string Cell(string value)
    {
        if (value.Length > 0 && value[0] is '=' or '+' or '-' or '@')
        {
            value = "'" + value;
        }

        return value.IndexOfAny([',', '"', '\r', '\n']) >= 0 ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : value;
    }
}
