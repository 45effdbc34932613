using System.ComponentModel.DataAnnotations;
using System.Globalization;
using CallCenter.Agent.Web.Api;
using CallCenter.Agent.Web.Auth;
using CallCenter.Agent.Web.Data.Demo;
using CallCenter.Telephony.Agents;
using Dapper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Npgsql;

namespace CallCenter.Agent.Web.Admin;

/// <summary>
/// A new account. The web password is stored as a PasswordHasher hash and the SIP password only as HA1 digests
/// (MD5 and SHA-256, realm "callcenter"), exactly as the demo seeder does; neither is ever returned or logged.
/// </summary>
public sealed record NewAgent(
    [property: Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$", ErrorMessage = "username may hold letters, digits, '.', '_' and '-' (1-64)")] string Username,
    [property: Required, StringLength(40, MinimumLength = 1)] string DisplayName,
    [property: RegularExpression("^[0-9A-Za-z-]{1,20}$", ErrorMessage = "employeeNo must be 1-20 letters or digits")] string? EmployeeNo,
    [property: Required, MinLength(1), MaxLength(4)] IReadOnlyList<string> Roles,
    [property: Required, StringLength(128, MinimumLength = 8, ErrorMessage = "password must be 8-128 characters")] string Password,
    [property: StringLength(128, MinimumLength = 8, ErrorMessage = "sipPassword must be 8-128 characters")] string? SipPassword);

public sealed record ActiveRequest(bool Active);

/// <summary>Creating agents and deactivating them (never deleting: calls, audits and QA keep referring to them).</summary>
internal static class AgentAdmin
{
    private static readonly PasswordHasher<string> Hasher = new();
    private static readonly string[] KnownRoles = [Auth.Roles.Agent, Auth.Roles.Supervisor, Auth.Roles.Qa, Auth.Roles.Admin];

    public static RouteGroupBuilder MapAgentAdmin(this RouteGroupBuilder admin)
    {
        admin.MapPost("/agents", Create);
        admin.MapPost("/agents/{id:int}/active", SetActive);
        return admin;
    }

    private static async Task<Results<Created<CreatedId>, ValidationProblem>> Create(NewAgent request, HttpContext http, NpgsqlDataSource db,
        AuditLog audit)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        if (request.Roles.FirstOrDefault(r => !KnownRoles.Contains(r)) is { } unknown)
        {
            return LineAdmin.Invalid("roles", $"unknown role '{unknown}'; use agent, supervisor, qa or admin");
        }

        if (request.SipPassword is not null && !request.Roles.Contains(Auth.Roles.Agent))
        {
            return LineAdmin.Invalid("sipPassword", "only agents have SIP phones");
        }

        var sip = request.SipPassword is { } p;
        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        var id = await conn.ExecuteScalarAsync<int?>(new CommandDefinition("""
            INSERT INTO agents (username, display_name, employee_no, roles, password_hash, sip_username, sip_realm, sip_ha1_md5, sip_ha1_sha256)
            SELECT @Username, @DisplayName, @EmployeeNo, @roles, @hash, @sipUser, @realm, @md5, @sha256
             WHERE NOT EXISTS (SELECT 1 FROM agents WHERE username = @Username OR sip_username = @Username
                                                     OR (@EmployeeNo IS NOT NULL AND employee_no = @EmployeeNo))
            ON CONFLICT DO NOTHING RETURNING id
            """, new
            {
                request.Username,
                request.DisplayName,
                request.EmployeeNo,
                roles = request.Roles.Distinct().ToArray(),
                hash = Hasher.HashPassword(request.Username, request.Password),
                sipUser = sip ? request.Username : null,
                realm = sip ? DemoSeeder.SipRealm : null,
                md5 = sip ? DigestAuth.Ha1(DigestAlgorithm.Md5, request.Username, DemoSeeder.SipRealm, request.SipPassword!) : null,
                sha256 = sip ? DigestAuth.Ha1(DigestAlgorithm.Sha256, request.Username, DemoSeeder.SipRealm, request.SipPassword!) : null,
            }, cancellationToken: http.RequestAborted));
        if (id is not { } agentId)
        {
            return LineAdmin.Invalid("username", "an account with this username or employee number already exists");
        }

        // Never the secrets: only what was created and whether a SIP phone may register.
        await audit.WriteAsync(http, "agent_created", "agent", agentId.ToString(CultureInfo.InvariantCulture),
            details: new { request.Username, request.Roles, request.EmployeeNo, sipPhone = sip });
        return TypedResults.Created($"/api/admin/agents/{agentId}", new CreatedId(agentId));
    }

    /// <summary>Deactivation logs the account out at once: offline, registrations dropped, no login, no REGISTER, web sessions ended.</summary>
    private static async Task<Results<NoContent, NotFound, ValidationProblem>> SetActive(int id, ActiveRequest request, HttpContext http,
        NpgsqlDataSource db, AuditLog audit, ActiveAccounts accounts)
    {
        if (!request.Active && id == http.User.AgentId())
        {
            return LineAdmin.Invalid("active", "you cannot deactivate your own account");
        }

        await using var conn = await db.OpenConnectionAsync(http.RequestAborted);
        await using var tx = await conn.BeginTransactionAsync(http.RequestAborted);
        var n = await conn.ExecuteAsync(new CommandDefinition(request.Active
            ? "UPDATE agents SET active = true WHERE id = @id"
            : "UPDATE agents SET active = false, state = 'offline', state_changed_at = now() WHERE id = @id",
            new { id }, tx, cancellationToken: http.RequestAborted));
        if (n == 0)
        {
            return TypedResults.NotFound();
        }

        if (!request.Active)
        {
            await conn.ExecuteAsync(new CommandDefinition("DELETE FROM agent_registrations WHERE agent_id = @id", new { id }, tx,
                cancellationToken: http.RequestAborted));
        }

        await tx.CommitAsync(http.RequestAborted);
        accounts.Forget(id); // this node ends the account's web sessions on their next request; others within 30 s
        await audit.WriteAsync(http, request.Active ? "agent_activated" : "agent_deactivated", "agent", id.ToString(CultureInfo.InvariantCulture));
        return TypedResults.NoContent();
    }
}
