using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CallCenter.Agent.Web.Api;
using CallCenter.Agent.Web.Auth;
using CallCenter.Telephony.Screening;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CallCenter.Agent.Web.Admin;

public sealed record ScreeningRuleView(int Id, string Code, string Kind, string Speaker, string Phrase, string? Pattern, string MatchMode,
    string? Category, string? Severity, string? Replacement, string Exceptions, string? Source, bool Enabled, int Version,
    string? UpdatedBy, DateTime UpdatedAt);

/// <summary>A rule as the admin form sends it (code only on create); see Screening/Rules/README.md for patterns and flags.</summary>
public sealed record ScreeningRuleRequest(
    [property: RegularExpression("^[A-Za-z0-9_-]{2,20}$", ErrorMessage = "code must be 2-20 letters, digits, _ or -")] string? Code,
    [property: Required, RegularExpression("^(taboo|required|customer_cue|promise)$", ErrorMessage = "kind must be taboo, required, customer_cue or promise")] string Kind,
    [property: Required, RegularExpression("^(agent|customer|any)$", ErrorMessage = "speaker must be agent, customer or any")] string Speaker,
    [property: Required, StringLength(100, MinimumLength = 2)] string Phrase,
    [property: StringLength(400)] string? Pattern,
    [property: Required, RegularExpression("^(exact|gap|pinyin|regex)$", ErrorMessage = "matchMode must be exact, gap, pinyin or regex")] string MatchMode,
    [property: StringLength(40)] string? Category,
    [property: RegularExpression("^(H|M|L|S1|S2|S3)$", ErrorMessage = "severity must be H, M, L, S1, S2 or S3")] string? Severity,
    [property: StringLength(200)] string? Replacement,
    [property: MaxLength(20)] IReadOnlyList<string>? Exceptions,
    [property: StringLength(200)] string? Source,
    bool Enabled = true);

/// <summary>
/// Screening rules in the database. An edit bumps <c>version</c> and records the admin in <c>updated_by</c>, so the
/// file sync never overwrites it (ScreeningRuleStore). This node's engine reloads at once; other nodes within
/// Telephony:Screening:ReloadSeconds.
/// </summary>
internal static class ScreeningAdmin
{
    public static RouteGroupBuilder MapScreeningAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/screening-rules", List);
        admin.MapPost("/screening-rules", Create);
        admin.MapPut("/screening-rules/{id:int}", Edit);
        admin.MapPost("/screening-rules/{id:int}/enabled", SetEnabled);
        return admin;
    }

    private static async Task<IEnumerable<ScreeningRuleView>> List(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QueryAsync<ScreeningRuleView>(new CommandDefinition("""
            SELECT id, code, kind, speaker, phrase, pattern, match_mode AS MatchMode, category, severity, replacement,
                   array_to_string(exceptions, ' | ') AS Exceptions, source, enabled, version, updated_by AS UpdatedBy, updated_at AS UpdatedAt
              FROM screening_rules ORDER BY kind, code LIMIT 2000
            """, cancellationToken: ct));
    }

    /// <summary>Builds an engine over the rule alone: the same parser the live engine uses decides whether it is valid.</summary>
    private static string? CompileError(ScreeningRuleRequest r, string code, ScreeningService screening)
    {
        try
        {
            var rule = new ScreeningRule(code, ScreeningRule.ParseKind(r.Kind), ScreeningRule.ParseSpeaker(r.Speaker), r.Phrase,
                string.IsNullOrWhiteSpace(r.Pattern) ? r.Phrase : r.Pattern, ScreeningRule.ParseMode(r.MatchMode), r.Category, r.Severity,
                r.Replacement, r.Exceptions ?? [], r.Source, Enabled: true, Version: 1);
            _ = screening.Catalog.CreateEngine([rule]);
            return null;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException)
        {
            return ex.Message;
        }
    }

    private static async Task<Results<Created<CreatedId>, ValidationProblem>> Create(ScreeningRuleRequest request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit, ScreeningService screening, ILoggerFactory loggers)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (request.Code is not { } code)
        {
            return LineAdmin.Invalid("code", "code is required for a new rule");
        }

        if (CompileError(request, code, screening) is { } error)
        {
            return LineAdmin.Invalid("pattern", error);
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var id = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
            INSERT INTO screening_rules (code, kind, speaker, phrase, pattern, match_mode, category, severity, replacement, exceptions,
                                         source, enabled, version, updated_at, updated_by)
            VALUES (@code, @Kind, @Speaker, @Phrase, @pattern, @MatchMode, @Category, @Severity, @Replacement, @exceptions,
                    @Source, @Enabled, 1, now(), @by)
            ON CONFLICT (code) DO NOTHING RETURNING id
            """, Parameters(request, code, http), cancellationToken: http.RequestAborted));
        if (id is not { } ruleId)
        {
            return LineAdmin.Invalid("code", $"a rule with code '{code}' already exists");
        }

        await audit.WriteAsync(http, "screening_rule_created", "screening_rule", ruleId.ToString(CultureInfo.InvariantCulture),
            details: new { code, request.Kind, request.Enabled });
        await ReloadAsync(db, screening, loggers, http.RequestAborted);
        return TypedResults.Created($"/api/admin/screening-rules/{ruleId}", new CreatedId(ruleId));
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Edit(int id, ScreeningRuleRequest request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit, ScreeningService screening, ILoggerFactory loggers)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (CompileError(request, request.Code ?? "edit", screening) is { } error)
        {
            return LineAdmin.Invalid("pattern", error);
        }

        var parameters = new DynamicParameters(Parameters(request, request.Code ?? "", http));
        parameters.Add("id", id);
        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var version = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
            UPDATE screening_rules SET kind = @Kind, speaker = @Speaker, phrase = @Phrase, pattern = @pattern, match_mode = @MatchMode,
                   category = @Category, severity = @Severity, replacement = @Replacement, exceptions = @exceptions, source = @Source,
                   enabled = @Enabled, version = version + 1, updated_at = now(), updated_by = @by
             WHERE id = @id RETURNING version
            """, parameters,
            cancellationToken: http.RequestAborted));
        if (version is null)
        {
            return TypedResults.NotFound();
        }

        await audit.WriteAsync(http, "screening_rule_edited", "screening_rule", id.ToString(CultureInfo.InvariantCulture),
            details: new { request.Kind, request.Enabled, version });
        await ReloadAsync(db, screening, loggers, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound>> SetEnabled(int id, EnabledRequest request, HttpContext http, NpgsqlDataSource db,
        AuditLog audit, ScreeningService screening, ILoggerFactory loggers)
    {
        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var n = await conn.ExecuteAsync(new CommandDefinition(
            "UPDATE screening_rules SET enabled = @Enabled, version = version + 1, updated_at = now(), updated_by = @by WHERE id = @id",
            new { id, request.Enabled, by = AuditLog.ActorOf(http.User) }, cancellationToken: http.RequestAborted));
        if (n == 0)
        {
            return TypedResults.NotFound();
        }

        await audit.WriteAsync(http, request.Enabled ? "screening_rule_enabled" : "screening_rule_disabled", "screening_rule",
            id.ToString(CultureInfo.InvariantCulture));
        await ReloadAsync(db, screening, loggers, http.RequestAborted);
        return TypedResults.NoContent();
    }

    private static object Parameters(ScreeningRuleRequest r, string code, HttpContext http) => new
    {
        code,
        r.Kind,
        r.Speaker,
        r.Phrase,
        pattern = string.IsNullOrWhiteSpace(r.Pattern) ? null : r.Pattern,
        r.MatchMode,
        r.Category,
        r.Severity,
        r.Replacement,
        exceptions = (r.Exceptions ?? []).Where(e => !string.IsNullOrWhiteSpace(e)).Select(e => e.Trim()).ToArray(),
        r.Source,
        r.Enabled,
        by = AuditLog.ActorOf(http.User),
    };

    private static async Task ReloadAsync(NpgsqlDataSource db, ScreeningService screening, ILoggerFactory loggers, CancellationToken ct)
    {
        if (!screening.Options.UseDatabaseRules)
        {
            return;
        }

        var store = new ScreeningRuleStore(db, loggers.CreateLogger<ScreeningRuleStore>());
        screening.Replace(await store.LoadAsync(screening.Catalog.Normalizer, ct), "database");
    }
}
