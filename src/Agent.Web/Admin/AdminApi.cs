using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CallCenter.Agent.Web.Api;
using CallCenter.Agent.Web.Auth;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CallCenter.Agent.Web.Admin;

public sealed record AdminLine(int Id, string Code, string NameZh, string NameEn, string? WelcomePrompt, int AnswerWithinSeconds,
    int RingTimeoutSeconds, int MaxWaitSeconds, bool Active, string[] Numbers);

public sealed record AdminAgent(int Id, string Username, string DisplayName, string? EmployeeNo, string[] Roles, string State,
    bool Active, bool Locked, string[] Skills, bool SipPhone);

public sealed record BlockingRuleView(int Id, string Kind, string? Number, string Action, int RejectCode, string Reason,
    string CreatedBy, DateTime CreatedAt, DateTime? ExpiresAt, bool Enabled, int Decisions, DateTime? LastDecisionAt);

public sealed record BlockingDecisionView(long Id, DateTime DecidedAt, string? CallerNumber, string? DialedNumber, string Action,
    bool Exempted, string? ExemptionReason);

public sealed record NewBlockingRule(
    [property: Required, RegularExpression("^(exact|prefix|flagged)$")] string Kind,
    [property: Required, RegularExpression(@"^\+?[0-9]{3,20}$")] string Number,
    [property: Required, RegularExpression("^(reject|announce|flag)$")] string Action,
    [property: Required, StringLength(200, MinimumLength = 2)] string Reason,
    [property: Range(1, 365)] int ExpiresInDays = 30);

public sealed record EnabledRequest(bool Enabled);

public sealed record CallbackPolicyView(string Code, string NameZh, string Mode, int Priority, int MaxAttempts, string Settings, string? Source);

public sealed record SkillsRequest([property: Required, MaxLength(20)] IReadOnlyList<int> ServiceLineIds);

public sealed record CalendarDayView(DateOnly Day, string Kind, string Name);

public sealed record BusinessHoursView(int? ServiceLineId, int Weekday, TimeOnly Opens, TimeOnly Closes);

public sealed record HoursView(IReadOnlyList<BusinessHoursView> Hours, IReadOnlyList<CalendarDayView> Calendar);

public sealed record NewCalendarDay(
    [property: Required] DateOnly Day,
    [property: Required, RegularExpression("^(holiday|workday)$")] string Kind,
    [property: Required, StringLength(40, MinimumLength = 1)] string Name);

/// <summary>Configuration pages: lines and numbers, agents and skills, blocking rules and their log, hours and holidays.</summary>
internal static class AdminApi
{
    public static RouteGroupBuilder MapAdminApi(this RouteGroupBuilder api)
    {
        var admin = api.MapGroup("/admin").WithTags("Admin").RequireAuthorization(Roles.AdminPolicy);
        admin.MapGet("/lines", Lines);
        admin.MapGet("/agents", Agents);
        admin.MapPut("/agents/{id:int}/skills", SetSkills);
        admin.MapGet("/hours", Hours);
        admin.MapPost("/calendar", AddCalendarDay);
        admin.MapGet("/callback-policies", CallbackPolicies);
        admin.MapLineAdmin().MapAgentAdmin().MapPolicyAdmin().MapScreeningAdmin();

        var rules = api.MapGroup("/admin/blocking-rules").WithTags("Admin").RequireAuthorization(Roles.RulesPolicy);
        rules.MapGet("/", ListRules);
        rules.MapGet("/{id:int}/decisions", Decisions);
        rules.MapPost("/", CreateRule);
        rules.MapPost("/{id:int}/enabled", SetEnabled);
        return api;
    }

    // Npgsql reports text[] columns as System.Array, which Dapper cannot bind to string[]: lists travel joined.
    private static string[] Split(string list) => list.Split(',', StringSplitOptions.RemoveEmptyEntries);

    private static async Task<IEnumerable<AdminLine>> Lines(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<LineRow>(new CommandDefinition("""
            SELECT l.id, l.code, l.name_zh AS NameZh, l.name_en AS NameEn, l.welcome_prompt AS WelcomePrompt,
                   l.answer_within_seconds AS AnswerWithinSeconds, l.ring_timeout_seconds AS RingTimeoutSeconds,
                   l.max_wait_seconds AS MaxWaitSeconds, l.active,
                   COALESCE(string_agg(n.number, ',' ORDER BY n.number), '') AS Numbers
              FROM service_lines l LEFT JOIN toll_free_numbers n ON n.service_line_id = l.id
             GROUP BY l.id ORDER BY l.id
            """, cancellationToken: ct))).Select(l => new AdminLine(l.Id, l.Code, l.NameZh, l.NameEn, l.WelcomePrompt, l.AnswerWithinSeconds,
                l.RingTimeoutSeconds, l.MaxWaitSeconds, l.Active, Split(l.Numbers)));
    }

    private static async Task<IEnumerable<AdminAgent>> Agents(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return (await conn.QueryAsync<AgentRow>(new CommandDefinition("""
            SELECT a.id, a.username, a.display_name AS DisplayName, a.employee_no AS EmployeeNo, array_to_string(a.roles, ',') AS Roles,
                   a.state, a.active, COALESCE(a.locked_until > now(), false) AS Locked,
                   COALESCE(string_agg(l.code, ',' ORDER BY l.id), '') AS Skills, a.sip_username IS NOT NULL AS SipPhone
              FROM agents a LEFT JOIN agent_skills s ON s.agent_id = a.id LEFT JOIN service_lines l ON l.id = s.service_line_id
             GROUP BY a.id ORDER BY a.id
            """, cancellationToken: ct))).Select(a => new AdminAgent(a.Id, a.Username, a.DisplayName, a.EmployeeNo, Split(a.Roles), a.State,
                a.Active, a.Locked, Split(a.Skills), a.SipPhone));
    }

    private sealed record LineRow(int Id, string Code, string NameZh, string NameEn, string? WelcomePrompt, int AnswerWithinSeconds,
        int RingTimeoutSeconds, int MaxWaitSeconds, bool Active, string Numbers);

    private sealed record AgentRow(int Id, string Username, string DisplayName, string? EmployeeNo, string Roles, string State,
        bool Active, bool Locked, string Skills, bool SipPhone);

    private static async Task<Results<NoContent, ValidationProblem>> SetSkills(int id, SkillsRequest request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        await using var tx = await conn.BeginTransactionAsync(http.RequestAborted);
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM agent_skills WHERE agent_id = @id", new { id }, tx, cancellationToken: http.RequestAborted));
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO agent_skills (agent_id, service_line_id)
            SELECT @id, l.id FROM service_lines l WHERE l.id = ANY(@ids) AND EXISTS (SELECT 1 FROM agents WHERE id = @id)
            """, new { id, ids = request.ServiceLineIds.ToArray() }, tx, cancellationToken: http.RequestAborted));
        await tx.CommitAsync(http.RequestAborted);
        await audit.WriteAsync(http, "skills_changed", "agent", id.ToString(CultureInfo.InvariantCulture), details: new { request.ServiceLineIds });
        return TypedResults.NoContent();
    }

    private static async Task<HoursView> Hours(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        var hours = (await conn.QueryAsync<BusinessHoursView>(new CommandDefinition(
            "SELECT service_line_id AS ServiceLineId, weekday, opens, closes FROM business_hours ORDER BY service_line_id NULLS FIRST, weekday",
            cancellationToken: ct))).ToList();
        var days = (await conn.QueryAsync<CalendarDayView>(new CommandDefinition(
            "SELECT day, kind, name FROM calendar_days WHERE day >= current_date - 31 ORDER BY day LIMIT 400", cancellationToken: ct))).ToList();
        return new HoursView(hours, days);
    }

    private static async Task<Results<NoContent, ValidationProblem>> AddCalendarDay(NewCalendarDay request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit, CallCenter.Callbacks.Policies.PolicyCatalog catalog)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        await conn.ExecuteAsync(new CommandDefinition("""
            INSERT INTO calendar_days (day, kind, name) VALUES (@day, @Kind, @Name)
            ON CONFLICT (day) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name
            """, new { day = request.Day, request.Kind, request.Name }, cancellationToken: http.RequestAborted));
        catalog.Invalidate(); // this node at once; other nodes within the catalog's 30 s cache
        await audit.WriteAsync(http, "config_changed", "calendar_day", request.Day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
            details: new { request.Kind, request.Name });
        return TypedResults.NoContent();
    }

    private static async Task<IEnumerable<CallbackPolicyView>> CallbackPolicies(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QueryAsync<CallbackPolicyView>(new CommandDefinition(
            "SELECT code, name_zh AS NameZh, mode, priority, max_attempts AS MaxAttempts, settings::text AS Settings, source FROM callback_policies ORDER BY priority, code",
            cancellationToken: ct));
    }

    private static async Task<IEnumerable<BlockingRuleView>> ListRules(NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QueryAsync<BlockingRuleView>(new CommandDefinition("""
            SELECT r.id, r.kind, r.number, r.action, r.reject_code AS RejectCode, r.reason, r.created_by AS CreatedBy,
                   r.created_at AS CreatedAt, r.expires_at AS ExpiresAt, r.enabled,
                   (SELECT count(*)::int FROM blocking_decisions d WHERE d.rule_id = r.id) AS Decisions,
                   (SELECT max(d.decided_at) FROM blocking_decisions d WHERE d.rule_id = r.id) AS LastDecisionAt
              FROM blocking_rules r ORDER BY r.enabled DESC, r.created_at DESC LIMIT 500
            """, cancellationToken: ct));
    }

    private static async Task<IEnumerable<BlockingDecisionView>> Decisions(int id, NpgsqlDataSource db, CancellationToken ct)
    {
        await using var conn = await db.OpenConnectionAsync(ct);
        return await conn.QueryAsync<BlockingDecisionView>(new CommandDefinition("""
            SELECT id, decided_at AS DecidedAt, caller_number AS CallerNumber, dialed_number AS DialedNumber, action, exempted,
                   exemption_reason AS ExemptionReason
              FROM blocking_decisions WHERE rule_id = @id ORDER BY decided_at DESC LIMIT 200
            """, new { id }, cancellationToken: ct));
    }

    private static async Task<Results<Ok<int>, ValidationProblem>> CreateRule(NewBlockingRule request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var id = await conn.ExecuteScalarAsync<int>(new CommandDefinition("""
            INSERT INTO blocking_rules (kind, number, action, reason, created_by, expires_at)
            VALUES (@Kind, @Number, @Action, @Reason, @by, now() + make_interval(days => @ExpiresInDays)) RETURNING id
            """, new { request.Kind, request.Number, request.Action, request.Reason, by = http.User.Identity!.Name, request.ExpiresInDays },
            cancellationToken: http.RequestAborted));
        await audit.WriteAsync(http, "blocking_rule_created", "blocking_rule", id.ToString(CultureInfo.InvariantCulture), request.Reason,
            new { request.Kind, request.Action, request.ExpiresInDays });
        return TypedResults.Ok(id);
    }

    private static async Task<Results<NoContent, NotFound>> SetEnabled(int id, EnabledRequest request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit)
    {
        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var n = await conn.ExecuteAsync(new CommandDefinition("UPDATE blocking_rules SET enabled = @Enabled WHERE id = @id",
            new { id, request.Enabled }, cancellationToken: http.RequestAborted));
        if (n == 0)
        {
            return TypedResults.NotFound();
        }

        await audit.WriteAsync(http, request.Enabled ? "blocking_rule_enabled" : "blocking_rule_disabled", "blocking_rule",
            id.ToString(CultureInfo.InvariantCulture));
        return TypedResults.NoContent();
    }
}
