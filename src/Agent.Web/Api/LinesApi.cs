using Dapper;
using Npgsql;

namespace CallCenter.Agent.Web.Api;

public sealed record TollFreeNumber(string Number, string? Description, bool Active);

public sealed record ServiceLine(int Id, string Code, string NameZh, string NameEn, int AnswerWithinSeconds,
    int MaxWaitSeconds, bool Active, IReadOnlyList<TollFreeNumber> Numbers);

internal static class LinesApi
{
    public static RouteGroupBuilder MapLinesApi(this RouteGroupBuilder api)
    {
        api.MapGet("/lines", ListLines).WithName("ListServiceLines").WithTags("Lines");
        return api;
    }

    private static async Task<IReadOnlyList<ServiceLine>> ListLines(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var lines = await conn.QueryAsync<LineRow>(new CommandDefinition(
            "SELECT id, code, name_zh AS NameZh, name_en AS NameEn, answer_within_seconds AS AnswerWithinSeconds, " +
            "max_wait_seconds AS MaxWaitSeconds, active FROM service_lines ORDER BY id", cancellationToken: ct));
        var numbers = (await conn.QueryAsync<NumberRow>(new CommandDefinition(
            "SELECT number, service_line_id AS ServiceLineId, description, active FROM toll_free_numbers ORDER BY number",
            cancellationToken: ct))).ToLookup(n => n.ServiceLineId);
        return lines.Select(l => new ServiceLine(l.Id, l.Code, l.NameZh, l.NameEn, l.AnswerWithinSeconds, l.MaxWaitSeconds,
            l.Active, numbers[l.Id].Select(n => new TollFreeNumber(n.Number, n.Description, n.Active)).ToList())).ToList();
    }

    private sealed record LineRow(int Id, string Code, string NameZh, string NameEn, int AnswerWithinSeconds, int MaxWaitSeconds, bool Active);

    private sealed record NumberRow(string Number, int ServiceLineId, string? Description, bool Active);
}
