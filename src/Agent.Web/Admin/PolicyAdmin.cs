using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using System.Text.Json;
using CallCenter.Agent.Web.Api;
using CallCenter.Agent.Web.Auth;
using CallCenter.Callbacks.Policies;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CallCenter.Agent.Web.Admin;

/// <summary>The editable part of a callback policy; <see cref="Settings"/> holds only keys <see cref="PolicySettings"/> reads.</summary>
public sealed record PolicyEdit(
    [property: Required, StringLength(40, MinimumLength = 1)] string NameZh,
    [property: Required, RegularExpression("^(agent_first|automated)$", ErrorMessage = "mode must be agent_first or automated")] string Mode,
    [property: Range(1, 9)] int Priority,
    [property: Range(1, 50)] int MaxAttempts,
    JsonElement Settings);

/// <summary>One settings key the scheduler understands, for the admin form.</summary>
public sealed record PolicySettingKey(string Name, string Type);

/// <summary>Callback policy settings and calendar-day removal; both change what the scheduler's PolicyCatalog reads.</summary>
internal static class PolicyAdmin
{
    private const int MaxSettingValue = 100_000;

    /// <summary>The keys are PolicySettings' settable properties in camelCase, so the check follows what the scheduler parses.</summary>
    private static readonly IReadOnlyDictionary<string, Type> SettingKeys = typeof(PolicySettings)
        .GetProperties(BindingFlags.Public | BindingFlags.Instance)
        .Where(p => p.SetMethod is not null && (p.PropertyType == typeof(int) || p.PropertyType == typeof(bool)))
        .ToDictionary(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name), p => p.PropertyType, StringComparer.Ordinal);

    public static RouteGroupBuilder MapPolicyAdmin(this RouteGroupBuilder admin)
    {
        admin.MapGet("/callback-policies/keys", () => SettingKeys.Select(k => new PolicySettingKey(k.Key, k.Value == typeof(bool) ? "bool" : "int")).ToList());
        admin.MapPut("/callback-policies/{code}", Edit);
        admin.MapDelete("/calendar/{day}", RemoveDay);
        return admin;
    }

    /// <summary>Null when the settings object is acceptable, else the error per offending key.</summary>
    internal static Dictionary<string, string[]>? CheckSettings(JsonElement settings)
    {
        if (settings.ValueKind != JsonValueKind.Object)
        {
            return new() { ["settings"] = ["settings must be a JSON object"] };
        }

        var errors = new Dictionary<string, string[]>();
        foreach (var property in settings.EnumerateObject())
        {
            var key = "settings." + property.Name;
            if (!SettingKeys.TryGetValue(property.Name, out var type))
            {
                errors[key] = [$"unknown setting; known: {string.Join(", ", SettingKeys.Keys.Order(StringComparer.Ordinal))}"];
            }
            else if (type == typeof(bool) && property.Value.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
            {
                errors[key] = ["must be true or false"];
            }
            else if (type == typeof(int) && (!property.Value.TryGetInt32(out var i) || i < 0 || i > MaxSettingValue))
            {
                errors[key] = [$"must be a whole number from 0 to {MaxSettingValue}"];
            }
        }

        return errors.Count == 0 ? null : errors;
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> Edit(string code, PolicyEdit request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit, PolicyCatalog catalog)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (CheckSettings(request.Settings) is { } bad)
        {
            return TypedResults.ValidationProblem(bad);
        }

        var json = request.Settings.GetRawText();
        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var before = await conn.ExecuteScalarAsync<string?>(new CommandDefinition("""
            WITH old AS (SELECT code, settings FROM callback_policies WHERE code = @code FOR UPDATE)
            UPDATE callback_policies p SET name_zh = @NameZh, mode = @Mode, priority = @Priority, max_attempts = @MaxAttempts, settings = @json::jsonb
              FROM old WHERE p.code = old.code RETURNING old.settings::text
            """, new { code, request.NameZh, request.Mode, request.Priority, request.MaxAttempts, json }, cancellationToken: http.RequestAborted));
        if (before is null)
        {
            return TypedResults.NotFound();
        }

        catalog.Invalidate();
        await audit.WriteAsync(http, "config_changed", "callback_policy", code,
            details: new { request.Mode, request.Priority, request.MaxAttempts, settingsBefore = before, settings = json });
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> RemoveDay(string day, HttpContext http, NpgsqlDataSource db,
        AuditLog audit, PolicyCatalog catalog)
    {
        if (!DateOnly.TryParseExact(day, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date))
        {
            return LineAdmin.Invalid("day", "day must be a date like 2026-10-01");
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var removed = await conn.QuerySingleOrDefaultAsync<RemovedDay>(new CommandDefinition(
            "DELETE FROM calendar_days WHERE day = @date RETURNING kind, name", new { date }, cancellationToken: http.RequestAborted));
        if (removed is not { } row)
        {
            return TypedResults.NotFound();
        }

        catalog.Invalidate();
        await audit.WriteAsync(http, "config_changed", "calendar_day", day, details: new { removed = true, row.Kind, row.Name });
        return TypedResults.NoContent();
    }

    private sealed record RemovedDay(string Kind, string Name);
}
