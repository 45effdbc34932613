using System.ComponentModel.DataAnnotations;
using CallCenter.Agent.Web.Api;
using CallCenter.Agent.Web.Auth;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CallCenter.Agent.Web.Qa;

public sealed record QaPlanRequest(
    [property: Required, StringLength(60, MinimumLength = 1)] string Name,
    [property: Required, RegularExpression("^(day|week|month)$")] string Period,
    [property: Range(0, 100)] int SamplesPerAgent,
    [property: Range(0, 52)] int NewAgentWeeks,
    [property: Range(1.0, 10.0)] decimal NewAgentMultiplier,
    [property: Range(0, 3600)] int MinCallSeconds,
    bool IncludeFlagged,
    bool StratifyByLine);

public sealed record QaFormItemRequest(
    [property: Required, RegularExpression("^[a-z_]{1,30}$")] string Code,
    [property: Required, StringLength(60, MinimumLength = 1)] string TitleZh,
    [property: Range(0, 100)] int Weight,
    bool Fatal,
    [property: StringLength(200)] string? Guidance,
    [property: RegularExpression("^(taboo|required:(greeting|need|closing))$")] string? Prefill);

public sealed record QaFormRequest(
    [property: Required, StringLength(60, MinimumLength = 1)] string Name,
    [property: Required, MinLength(1), MaxLength(30)] IReadOnlyList<QaFormItemRequest> Items);

public sealed record QaFormView(int Id, string Name, int Version, IReadOnlyList<QaFormItem> Items);

/// <summary>
/// Sampling plans and evaluation forms are configuration: supervisors and admins edit them, every edit audited.
/// A changed form becomes a new version, so evaluations already made keep the items they were scored on.
/// </summary>
internal static class QaConfigApi
{
    public static RouteGroupBuilder MapQaConfigApi(this RouteGroupBuilder api)
    {
        var config = api.MapGroup("/qa").WithTags("QA").RequireAuthorization(Roles.RulesPolicy);
        config.MapGet("/plans", Plans);
        config.MapPost("/plans", (QaPlanRequest body, HttpContext http, NpgsqlDataSource db, AuditLog audit) => SavePlan(null, body, http, db, audit));
        config.MapPut("/plans/{id:int}", (int id, QaPlanRequest body, HttpContext http, NpgsqlDataSource db, AuditLog audit) => SavePlan(id, body, http, db, audit));
        config.MapGet("/forms/active", ActiveForm);
        config.MapPost("/forms", NewForm);
        return api;
    }

    private static async Task<IEnumerable<QaPlan>> Plans(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QueryAsync<QaPlan>(new CommandDefinition("""
            SELECT id, name, period, samples_per_agent AS SamplesPerAgent, new_agent_weeks AS NewAgentWeeks,
                   new_agent_multiplier AS NewAgentMultiplier, min_call_seconds AS MinCallSeconds,
                   include_flagged AS IncludeFlagged, stratify_by_line AS StratifyByLine
              FROM qa_sampling_plans WHERE active ORDER BY id
            """, cancellationToken: ct));
    }

    private static async Task<Results<Ok<int>, NotFound, ValidationProblem, Conflict<string>>> SavePlan(int? id, QaPlanRequest body,
        HttpContext http, NpgsqlDataSource db, AuditLog audit)
    {
        if (!RequestValidation.TryValidate(body, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        int? saved;
        try
        {
            saved = await conn.ExecuteScalarAsync<int?>(new CommandDefinition(id is null
                ? """
                  INSERT INTO qa_sampling_plans (name, period, samples_per_agent, new_agent_weeks, new_agent_multiplier,
                                                 min_call_seconds, include_flagged, stratify_by_line)
                  VALUES (@Name, @Period, @SamplesPerAgent, @NewAgentWeeks, @NewAgentMultiplier, @MinCallSeconds, @IncludeFlagged, @StratifyByLine)
                  RETURNING id
                  """
                : """
                  UPDATE qa_sampling_plans SET name = @Name, period = @Period, samples_per_agent = @SamplesPerAgent,
                         new_agent_weeks = @NewAgentWeeks, new_agent_multiplier = @NewAgentMultiplier,
                         min_call_seconds = @MinCallSeconds, include_flagged = @IncludeFlagged, stratify_by_line = @StratifyByLine
                   WHERE id = @id RETURNING id
                  """, new { id, body.Name, body.Period, body.SamplesPerAgent, body.NewAgentWeeks, body.NewAgentMultiplier,
                    body.MinCallSeconds, body.IncludeFlagged, body.StratifyByLine }, cancellationToken: http.RequestAborted));
        }
        catch (PostgresException ex) when (ex.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return TypedResults.Conflict("a plan with this name exists");
        }

        if (saved is null)
        {
            return TypedResults.NotFound();
        }

        await audit.WriteAsync(http, "qa_plan_save", "qa_plan", saved.Value.ToString(System.Globalization.CultureInfo.InvariantCulture), details: body);
        return TypedResults.Ok(saved.Value);
    }

    private static async Task<QaFormView> ActiveForm(NpgsqlDataSource db, QaStore store, CancellationToken ct)
    {
        var id = await store.ActiveFormIdAsync(ct);
        await using var conn = await db.OpenConnectionAsync(ct);
        var head = await conn.QuerySingleAsync<(string Name, int Version)>(new CommandDefinition(
            "SELECT name, version FROM qa_forms WHERE id = @id", new { id }, cancellationToken: ct));
        return new QaFormView(id, head.Name, head.Version, await store.FormItemsAsync(id, ct));
    }

    private static async Task<Results<Ok<int>, ValidationProblem>> NewForm(QaFormRequest body, HttpContext http, NpgsqlDataSource db, AuditLog audit)
    {
        if (!RequestValidation.TryValidate(body, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        // Scores are out of 100 so the seed's grade bands apply unchanged.
        if (body.Items.Sum(i => i.Weight) != 100)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["items"] = ["权重合计须为 100"] });
        }

        if (body.Items.Select(i => i.Code).Distinct(StringComparer.Ordinal).Count() != body.Items.Count)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["items"] = ["项目代码不能重复"] });
        }

        var ct = http.RequestAborted;
        await using var conn = await db.OpenConnectionAsync(ct);
        await using var tx = await conn.BeginTransactionAsync(ct);
        // One active form at a time: the new version replaces the old for new evaluations only.
        await conn.ExecuteAsync(new CommandDefinition("UPDATE qa_forms SET active = false WHERE active", transaction: tx, cancellationToken: ct));
        var id = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            INSERT INTO qa_forms (name, version, active)
            VALUES (@Name, COALESCE((SELECT max(version) FROM qa_forms WHERE name = @Name), 0) + 1, true) RETURNING id
            """, new { body.Name }, tx, cancellationToken: ct));
        var position = 0;
        foreach (var item in body.Items)
        {
            await conn.ExecuteAsync(new CommandDefinition("""
                INSERT INTO qa_form_items (form_id, code, title_zh, weight, fatal, guidance, prefill, position)
                VALUES (@id, @Code, @TitleZh, @Weight, @Fatal, @Guidance, @Prefill, @position)
                """, new { id, item.Code, item.TitleZh, item.Weight, item.Fatal, item.Guidance, item.Prefill, position = ++position }, tx, cancellationToken: ct));
        }

        await tx.CommitAsync(ct);
        await audit.WriteAsync(http, "qa_form_create", "qa_form", id.ToString(System.Globalization.CultureInfo.InvariantCulture),
            details: new { body.Name, items = body.Items.Count });
        return TypedResults.Ok(id);
    }
}
