using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication.Cookies;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.DataProtection;
using Microsoft.AspNetCore.Mvc;

namespace CallCenter.Agent.Web.Auth;

/// <summary>Cookie login, role policies, antiforgery on every state-changing API call, audit of refusals.</summary>
internal static class AuthSetup
{
    public const string AntiforgeryHeader = "X-XSRF-TOKEN";

    public static WebApplicationBuilder AddCallCenterAuth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<WebOptions>().BindConfiguration(WebOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        var cookieMinutes = builder.Configuration.GetValue<int?>($"{WebOptions.Section}:CookieMinutes") ?? 60;
        builder.Services.AddSingleton<AuditLog>();
        builder.Services.AddSingleton<AccountStore>();
        builder.Services.AddSingleton<ActiveAccounts>();
        var keys = builder.Configuration[$"{WebOptions.Section}:DataProtectionKeysDirectory"];
        if (!string.IsNullOrWhiteSpace(keys))
        {
            builder.Services.AddDataProtection().SetApplicationName("CallCenter").PersistKeysToFileSystem(new DirectoryInfo(keys));
        }

        builder.Services.AddAuthentication(CookieAuthenticationDefaults.AuthenticationScheme)
            .AddCookie(o =>
            {
                o.Cookie.Name = "cc.auth";
                o.Cookie.HttpOnly = true;
                o.Cookie.SameSite = SameSiteMode.Strict;
                // Secure whenever the request is HTTPS; plain HTTP stays usable on 127.0.0.1 for development.
                o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
                o.SlidingExpiration = true;
                o.ExpireTimeSpan = TimeSpan.FromMinutes(Math.Clamp(cookieMinutes, 5, 24 * 60));
                o.LoginPath = "/login";
                o.AccessDeniedPath = "/denied";
                o.Events.OnValidatePrincipal = ActiveAccounts.ValidateAsync;
                o.Events.OnRedirectToLogin = ctx =>
                {
                    if (IsApi(ctx.Request))
                    {
                        ctx.Response.StatusCode = StatusCodes.Status401Unauthorized;
                        return Task.CompletedTask;
                    }

                    ctx.Response.Redirect(ctx.RedirectUri);
                    return Task.CompletedTask;
                };
                o.Events.OnRedirectToAccessDenied = async ctx =>
                {
                    var audit = ctx.HttpContext.RequestServices.GetRequiredService<AuditLog>();
                    await audit.WriteAsync(ctx.HttpContext, "access_denied", "path", ctx.Request.Path.Value);
                    ctx.Response.StatusCode = StatusCodes.Status403Forbidden;
                };
            });

        builder.Services.AddAuthorizationBuilder()
            // Everything needs a login unless it says otherwise (login page, health, static assets).
            .SetFallbackPolicy(new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build())
            .AddPolicy(Roles.AgentPolicy, p => p.RequireRole(Roles.Agent))
            .AddPolicy(Roles.SupervisorPolicy, p => p.RequireRole(Roles.Supervisor))
            .AddPolicy(Roles.AdminPolicy, p => p.RequireRole(Roles.Admin))
            .AddPolicy(Roles.RulesPolicy, p => p.RequireRole(Roles.Supervisor, Roles.Admin))
            .AddPolicy(Roles.QaPolicy, p => p.RequireRole(Roles.Qa))
            .AddPolicy(Roles.QaRunPolicy, p => p.RequireRole(Roles.Qa, Roles.Supervisor));

        builder.Services.AddAntiforgery(o =>
        {
            o.HeaderName = AntiforgeryHeader;
            o.Cookie.Name = "cc.af";
            o.Cookie.SameSite = SameSiteMode.Strict;
            o.Cookie.HttpOnly = true;
        });
        return builder;
    }

    public static WebApplication UseCallCenterAuth(this WebApplication app)
    {
        app.UseAuthentication();
        app.Use(ValidateAntiforgery);
        app.UseAuthorization();
        return app;
    }

    private static bool IsApi(HttpRequest request) =>
        request.Path.StartsWithSegments("/api") || request.Path.StartsWithSegments("/hubs");

    /// <summary>
    /// Cookie-authenticated JSON APIs are as forgeable as forms: every unsafe /api request carries the token
    /// in the X-XSRF-TOKEN header (reliability.md §4). A missing or wrong token is a 400 and an audit row.
    /// </summary>
    private static async Task ValidateAntiforgery(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Path.StartsWithSegments("/api") && !HttpMethods.IsGet(context.Request.Method)
            && !HttpMethods.IsHead(context.Request.Method) && !HttpMethods.IsOptions(context.Request.Method))
        {
            var antiforgery = context.RequestServices.GetRequiredService<IAntiforgery>();
            if (!await antiforgery.IsRequestValidAsync(context))
            {
                await context.RequestServices.GetRequiredService<AuditLog>()
                    .WriteAsync(context, "csrf_rejected", "path", context.Request.Path.Value);
                await Results.Problem(new ProblemDetails
                {
                    Status = StatusCodes.Status400BadRequest,
                    Title = "Missing or invalid antiforgery token",
                    Detail = "Fetch /api/auth/antiforgery and send its token in the X-XSRF-TOKEN header.",
                }).ExecuteAsync(context);
                return;
            }
        }

        await next(context);
    }
}
