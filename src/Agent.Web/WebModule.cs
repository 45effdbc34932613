using CallCenter.Agent.Web.Admin;
using CallCenter.Agent.Web.Callbacks;
using CallCenter.Agent.Web.Auth;
using CallCenter.Agent.Web.Desk;
using CallCenter.Agent.Web.Hubs;
using CallCenter.Agent.Web.Pages;
using CallCenter.Agent.Web.Qa;
using CallCenter.Agent.Web.Supervisor;

namespace CallCenter.Agent.Web;

/// <summary>Issue 7's web side: login, hub, agent desk, wallboard, admin pages. Wired in from ApiSetup.</summary>
internal static class WebModule
{
    public static WebApplicationBuilder AddCallCenterWeb(this WebApplicationBuilder builder)
    {
        builder.AddCallCenterAuth();
        builder.AddAgentHub();
        builder.Services.AddSingleton<DeskActions>();
        builder.Services.AddSingleton<QaStore>();
        builder.Services.AddSingleton<QaReports>();
        return builder;
    }

    /// <summary>Middleware in order: static assets (public, no data), hub Origin check, login, antiforgery, roles.</summary>
    public static WebApplication UseCallCenterWeb(this WebApplication app)
    {
        app.UseStaticFiles();
        app.UseHubOriginCheck();
        app.UseCallCenterAuth();
        return app;
    }

    public static WebApplication MapCallCenterWeb(this WebApplication app, RouteGroupBuilder api)
    {
        api.MapAuthApi();
        api.MapDeskApi();
        api.MapCallsApi();
        api.MapWallboardApi();
        api.MapCallSearchApi();
        api.MapAdminApi();
        api.MapQaApi();
        api.MapQaConfigApi();
        api.MapCallbacksApi();
        app.MapAgentHub();
        app.MapCallCenterPages();
        return app;
    }
}
