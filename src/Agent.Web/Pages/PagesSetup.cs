using System.Collections.Concurrent;
using System.Reflection;
using System.Security.Claims;
using CallCenter.Agent.Web.Auth;

namespace CallCenter.Agent.Web.Pages;

/// <summary>
/// The pages are static HTML (no front-end build) embedded in the assembly and served only to the roles they
/// are for; their scripts and styles in wwwroot carry no data. Everything a page shows comes from the APIs.
/// </summary>
internal static class PagesSetup
{
    // Pages load only our own scripts and talk only to our origin (the hub's WebSocket included).
    private const string ContentSecurityPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
        "frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

    public static WebApplication MapCallCenterPages(this WebApplication app)
    {
        var cache = new ConcurrentDictionary<string, byte[]>(StringComparer.Ordinal);
        app.MapGet("/", (ClaimsPrincipal user) => Results.Redirect(Home(user))).AllowAnonymous();
        app.MapGet("/login", (HttpContext http) => Page(http, cache, "login")).AllowAnonymous();
        app.MapGet("/denied", (HttpContext http) => Page(http, cache, "denied", StatusCodes.Status403Forbidden)).AllowAnonymous();
        app.MapGet("/agent", (HttpContext http) => Page(http, cache, "agent")).RequireAuthorization(Roles.AgentPolicy);
        app.MapGet("/supervisor", (HttpContext http) => Page(http, cache, "supervisor")).RequireAuthorization(Roles.SupervisorPolicy);
        app.MapGet("/callbacks", (HttpContext http) => Page(http, cache, "callbacks")).RequireAuthorization(Roles.SupervisorPolicy);
        // Any signed-in role may open the page; /api/calls/{id} and the hub decide whether the call is theirs to see.
        app.MapGet("/call", (HttpContext http) => Page(http, cache, "call"));
        // QA reviewers, agents (their own evaluations) and supervisors (team, disputes, reports); /api/qa decides what each sees.
        app.MapGet("/qa", (HttpContext http) => Page(http, cache, "qa"));
        app.MapGet("/admin", (HttpContext http) => Page(http, cache, "admin")).RequireAuthorization(Roles.AdminPolicy);
        return app;
    }

    private static string Home(ClaimsPrincipal user) =>
        user.Identity?.IsAuthenticated != true ? "/login"
        : user.IsInRole(Roles.Agent) ? "/agent"
        : user.IsInRole(Roles.Supervisor) ? "/supervisor"
        : user.IsInRole(Roles.Qa) ? "/qa"
        : user.IsInRole(Roles.Admin) ? "/admin"
        : "/denied";

    private static IResult Page(HttpContext http, ConcurrentDictionary<string, byte[]> cache, string name, int status = 200)
    {
        var html = cache.GetOrAdd(name, Load);
        http.Response.Headers.ContentSecurityPolicy = ContentSecurityPolicy;
        http.Response.Headers.XContentTypeOptions = "nosniff";
        http.Response.Headers.CacheControl = "no-store";
        http.Response.StatusCode = status;
        return Results.Bytes(html, "text/html; charset=utf-8");
    }

    private static byte[] Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"CallCenter.Agent.Web.Pages.{name}.html")
            ?? throw new InvalidOperationException($"page {name} is missing from the build");
        using var copy = new MemoryStream();
        stream.CopyTo(copy);
        return copy.ToArray();
    }
}
