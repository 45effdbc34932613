using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Security.Claims;
using CallCenter.Agent.Web.Api;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;

namespace CallCenter.Agent.Web.Auth;

public sealed record LoginRequest(
    [property: Required, StringLength(64, MinimumLength = 1)] string Username,
    [property: Required, StringLength(256, MinimumLength = 1)] string Password);

public sealed record CurrentUser(int Id, string Username, string DisplayName, string? EmployeeNo, IReadOnlyList<string> Roles);

public sealed record AntiforgeryToken(string Token, string HeaderName);

internal static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder api)
    {
        var group = api.MapGroup("/auth").WithTags("Auth");
        group.MapGet("/antiforgery", Token).AllowAnonymous();
        group.MapPost("/login", Login).AllowAnonymous();
        group.MapPost("/logout", Logout);
        group.MapGet("/me", GetMe);
        return api;
    }

    private static AntiforgeryToken Token(HttpContext http, IAntiforgery antiforgery)
    {
        // The token is bound to the current user: pages fetch a fresh one after logging in.
        var tokens = antiforgery.GetAndStoreTokens(http);
        http.Response.Headers.CacheControl = "no-store";
        return new AntiforgeryToken(tokens.RequestToken!, AuthSetup.AntiforgeryHeader);
    }

    private static async Task<Results<Ok<CurrentUser>, ValidationProblem, UnauthorizedHttpResult>> Login(
        LoginRequest request, HttpContext http, AccountStore accounts, AuditLog audit, ILoggerFactory loggers)
    {
        if (!RequestValidation.TryValidate(request, out var errors))
        {
            return TypedResults.ValidationProblem(errors);
        }

        var result = await accounts.CheckAsync(request.Username, request.Password, http.RequestAborted);
        var ip = http.Connection.RemoteIpAddress;
        var log = loggers.CreateLogger("CallCenter.Agent.Web.Auth");
        if (result.Account is not { } account)
        {
            var action = result.Outcome switch
            {
                LoginOutcome.LockedOut => "login_refused_locked",
                LoginOutcome.LockedNow => "account_locked",
                _ => "login_failed",
            };
            // The attempted name is recorded (it may be a typo of a real one); the password never is.
            await audit.WriteAsync(request.Username, action, "agent", request.Username, sourceIp: ip, ct: http.RequestAborted);
            log.LogWarning("Login refused ({Outcome}) for {Username}", result.Outcome, request.Username);
            // One answer for unknown users, wrong passwords and locked accounts (account enumeration).
            return TypedResults.Unauthorized();
        }

        var claims = new List<Claim>
        {
            new(ClaimTypes.NameIdentifier, account.Id.ToString(CultureInfo.InvariantCulture)),
            new(ClaimTypes.Name, account.Username),
            new(Roles.DisplayNameClaim, account.DisplayName),
        };
        if (account.EmployeeNo is { } no)
        {
            claims.Add(new Claim(Roles.EmployeeNoClaim, no));
        }

        claims.AddRange(account.Roles.Select(r => new Claim(ClaimTypes.Role, r)));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, CookieAuthenticationDefaults.AuthenticationScheme));
        await http.SignInAsync(CookieAuthenticationDefaults.AuthenticationScheme, principal);
        await audit.WriteAsync(account.Username, "login", "agent", account.Username, sourceIp: ip, ct: http.RequestAborted);
        log.LogInformation("Agent {AgentId} logged in", account.Id);
        return TypedResults.Ok(new CurrentUser(account.Id, account.Username, account.DisplayName, account.EmployeeNo, account.Roles));
    }

    private static async Task<NoContent> Logout(HttpContext http, AuditLog audit)
    {
        await audit.WriteAsync(http, "logout", "agent", http.User.Identity?.Name);
        await http.SignOutAsync(CookieAuthenticationDefaults.AuthenticationScheme);
        return TypedResults.NoContent();
    }

    private static CurrentUser GetMe(ClaimsPrincipal user) => new(user.AgentId(), user.Identity!.Name!,
        user.FindFirstValue(Roles.DisplayNameClaim) ?? "", user.FindFirstValue(Roles.EmployeeNoClaim),
        user.FindAll(ClaimTypes.Role).Select(c => c.Value).ToList());
}
