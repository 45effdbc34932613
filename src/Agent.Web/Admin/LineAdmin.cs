using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CallCenter.Agent.Web.Api;
using CallCenter.Agent.Web.Auth;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Npgsql;

namespace CallCenter.Agent.Web.Admin;

/// <summary>A new service line, or the full edited state of one (PUT replaces every field but the code).</summary>
public sealed record LineRequest(
    [property: RegularExpression("^[a-z][a-z0-9_]{1,31}$", ErrorMessage = "code must be 2-32 lower-case letters, digits or _")] string? Code,
    [property: Required, StringLength(40, MinimumLength = 1)] string NameZh,
    [property: Required, StringLength(60, MinimumLength = 1)] string NameEn,
    [property: RegularExpression(@"^[A-Za-z0-9_-]{1,60}\.wav$", ErrorMessage = "welcomePrompt must be a .wav file name without a folder")] string? WelcomePrompt,
    [property: Range(5, 120)] int RingTimeoutSeconds = 20,
    [property: Range(10, 3600)] int MaxWaitSeconds = 180,
    [property: Range(1, 120)] int AnswerWithinSeconds = 15,
    bool Active = true);

public sealed record NumberRequest(
    [property: Required, RegularExpression("^[0-9]{3,20}$", ErrorMessage = "number must be 3-20 digits only")] string Number,
    [property: Range(1, int.MaxValue)] int ServiceLineId,
    [property: StringLength(80)] string? Description);

public sealed record NumberEdit([property: Range(1, int.MaxValue)] int ServiceLineId, [property: StringLength(80)] string? Description, bool Active = true);

public sealed record HoursDay([property: Range(0, 6)] int Weekday, TimeOnly Opens, TimeOnly Closes);

/// <summary>The weekly hours of one line (or of the hotline default when ServiceLineId is null); an empty list removes them.</summary>
public sealed record HoursRequest(int? ServiceLineId, [property: Required, MaxLength(7)] IReadOnlyList<HoursDay> Days);

public sealed record CreatedId(int Id);

/// <summary>
/// Edits of service lines, their toll-free numbers and business hours. DnisMap reads lines and numbers from the
/// database on every call (no cache), so an edit applies to the next call on every node.
/// </summary>
internal static class LineAdmin
{
    public static RouteGroupBuilder MapLineAdmin(this RouteGroupBuilder admin)
    {
        admin.MapPost("/lines", CreateLine);
        admin.MapPut("/lines/{id:int}", EditLine);
        admin.MapPost("/numbers", AddNumber);
        admin.MapPut("/numbers/{number}", EditNumber);
        admin.MapDelete("/numbers/{number}", RemoveNumber);
        admin.MapPut("/hours", SetHours);
        return admin;
    }

    internal static ValidationProblem Invalid(string field, string message) =>
        TypedResults.ValidationProblem(new Dictionary<string, string[]> { [field] = [message] });

    private static string Id(int id) => id.ToString(CultureInfo.InvariantCulture);

    private static async Task<Results<Created<CreatedId>, ValidationProblem>> CreateLine(LineRequest request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (request.Code is null)
        {
            return Invalid("code", "code is required for a new line");
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var id = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
            INSERT INTO service_lines (code, name_zh, name_en, welcome_prompt, ring_timeout_seconds, max_wait_seconds, answer_within_seconds, active)
            VALUES (@Code, @NameZh, @NameEn, @WelcomePrompt, @RingTimeoutSeconds, @MaxWaitSeconds, @AnswerWithinSeconds, @Active)
            ON CONFLICT (code) DO NOTHING RETURNING id
            """, request, cancellationToken: http.RequestAborted));
        if (id is not { } lineId)
        {
            return Invalid("code", $"a line with code '{request.Code}' already exists");
        }

        await audit.WriteAsync(http, "line_created", "service_line", Id(lineId), details: request);
        return TypedResults.Created($"/api/admin/lines/{lineId}", new CreatedId(lineId));
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> EditLine(int id, LineRequest request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var n = await conn.ExecuteAsync(new CommandDefinition("""
            UPDATE service_lines SET name_zh = @NameZh, name_en = @NameEn, welcome_prompt = @WelcomePrompt,
                   ring_timeout_seconds = @RingTimeoutSeconds, max_wait_seconds = @MaxWaitSeconds,
                   answer_within_seconds = @AnswerWithinSeconds, active = @Active
             WHERE id = @id
            """, new { id, request.NameZh, request.NameEn, request.WelcomePrompt, request.RingTimeoutSeconds, request.MaxWaitSeconds,
                request.AnswerWithinSeconds, request.Active }, cancellationToken: http.RequestAborted));
        if (n == 0)
        {
            return TypedResults.NotFound();
        }

        await audit.WriteAsync(http, "line_edited", "service_line", Id(id), details: request);
        return TypedResults.NoContent();
    }

    private static async Task<Results<Created, ValidationProblem>> AddNumber(NumberRequest request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        if (!await LineExistsAsync(conn, request.ServiceLineId, http.RequestAborted))
        {
            return Invalid("serviceLineId", "no such service line");
        }

        var owner = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
            WITH ins AS (INSERT INTO toll_free_numbers (number, service_line_id, description) VALUES (@Number, @ServiceLineId, @Description)
                         ON CONFLICT (number) DO NOTHING RETURNING service_line_id)
            SELECT service_line_id FROM ins
            """, request, cancellationToken: http.RequestAborted));
        if (owner is null)
        {
            return Invalid("number", $"{request.Number} is already assigned to a line; reassign it instead");
        }

        await audit.WriteAsync(http, "number_added", "toll_free_number", request.Number, details: request);
        return TypedResults.Created($"/api/admin/numbers/{request.Number}");
    }

    private static async Task<Results<NoContent, NotFound, ValidationProblem>> EditNumber(string number, NumberEdit request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        if (!await LineExistsAsync(conn, request.ServiceLineId, http.RequestAborted))
        {
            return Invalid("serviceLineId", "no such service line");
        }

        var before = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
            WITH old AS (SELECT service_line_id FROM toll_free_numbers WHERE number = @number FOR UPDATE)
            UPDATE toll_free_numbers t SET service_line_id = @ServiceLineId, description = @Description, active = @Active
              FROM old WHERE t.number = @number RETURNING old.service_line_id
            """, new { number, request.ServiceLineId, request.Description, request.Active }, cancellationToken: http.RequestAborted));
        if (before is null)
        {
            return TypedResults.NotFound();
        }

        await audit.WriteAsync(http, before == request.ServiceLineId ? "number_edited" : "number_reassigned", "toll_free_number", number,
            details: new { fromServiceLineId = before, request.ServiceLineId, request.Description, request.Active });
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, NotFound>> RemoveNumber(string number, HttpContext http, NpgsqlDataSource db, AuditLog audit)
    {
        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var line = await conn.ExecuteScalarAsync<int?>(new CommandDefinition(
            "DELETE FROM toll_free_numbers WHERE number = @number RETURNING service_line_id", new { number }, cancellationToken: http.RequestAborted));
        if (line is null)
        {
            return TypedResults.NotFound();
        }

        await audit.WriteAsync(http, "number_removed", "toll_free_number", number, details: new { serviceLineId = line });
        return TypedResults.NoContent();
    }

    private static async Task<Results<NoContent, ValidationProblem>> SetHours(HoursRequest request, HttpContext http, NpgsqlDataSource db,
        AuditLog audit, CallCenter.Callbacks.Policies.PolicyCatalog catalog)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        for (var i = 0; i < request.Days.Count; i++)
        {
            if (request.Days[i].Closes <= request.Days[i].Opens)
            {
                return Invalid($"days[{i}].closes", "closes must be after opens");
            }
        }

        // No default rows reads as "always open" to the scheduler (PolicyCatalog): closing every day needs holidays instead.
        if (request.ServiceLineId is null && request.Days.Count == 0)
        {
            return Invalid("days", "the hotline's default hours need at least one open day");
        }

        if (request.Days.Select(d => d.Weekday).Distinct().Count() != request.Days.Count)
        {
            return Invalid("days", "each weekday may appear once");
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        if (request.ServiceLineId is { } lineId && !await LineExistsAsync(conn, lineId, http.RequestAborted))
        {
            return Invalid("serviceLineId", "no such service line");
        }

        await using var tx = await conn.BeginTransactionAsync(http.RequestAborted);
        await conn.ExecuteAsync(new CommandDefinition("DELETE FROM business_hours WHERE service_line_id IS NOT DISTINCT FROM @ServiceLineId",
            new { request.ServiceLineId }, tx, cancellationToken: http.RequestAborted));
        foreach (var d in request.Days)
        {
            await conn.ExecuteAsync(new CommandDefinition(
                "INSERT INTO business_hours (service_line_id, weekday, opens, closes) VALUES (@line, @Weekday, @opens::time, @closes::time)",
                new { line = request.ServiceLineId, d.Weekday, opens = Clock(d.Opens), closes = Clock(d.Closes) }, tx,
                cancellationToken: http.RequestAborted));
        }

        await tx.CommitAsync(http.RequestAborted);
        // This node's callback scheduler sees the change at once; other nodes within the catalog's 30 s cache.
        catalog.Invalidate();
        await audit.WriteAsync(http, "config_changed", "business_hours", request.ServiceLineId?.ToString(CultureInfo.InvariantCulture) ?? "default",
            details: request);
        return TypedResults.NoContent();
    }

    private static string Clock(TimeOnly t) => t.ToString("HH:mm:ss", CultureInfo.InvariantCulture);

    private static Task<bool> LineExistsAsync(NpgsqlConnection conn, int id, CancellationToken ct) =>
        conn.ExecuteScalarAsync<bool>(new CommandDefinition("SELECT EXISTS (SELECT 1 FROM service_lines WHERE id = @id)", new { id }, cancellationToken: ct));
}
