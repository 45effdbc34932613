using System.Text.Json;
using System.Text.Json.Serialization;
using CallCenter.Agent.Web.Auth;
using CallCenter.Agent.Web.Desk;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.Extensions.Options;

namespace CallCenter.Agent.Web.Hubs;

internal static class HubSetup
{
    public const string Path = "/hubs/agent";

    public static WebApplicationBuilder AddAgentHub(this WebApplicationBuilder builder)
    {
        var maxBytes = builder.Configuration.GetValue<int?>($"{WebOptions.Section}:HubMaxMessageBytes") ?? 32 * 1024;
        builder.Services.AddSignalR(o =>
        {
            // Explicit: 0 (unlimited) would let one client exhaust memory (reliability.md §4).
            o.MaximumReceiveMessageSize = maxBytes;
            o.EnableDetailedErrors = false;
        }).AddJsonProtocol(o =>
            // Same shapes as the JSON API: the pages read "repair", not 2.
            o.PayloadSerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        builder.Services.AddSingleton<DeskStore>();
        builder.Services.AddSingleton<ScreenPopBuilder>();
        builder.Services.AddSingleton<NodeFanOut>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<NodeFanOut>());
        builder.Services.AddHostedService<ScreenPopPublisher>();
        builder.Services.AddHostedService<TranscriptRelay>();
        return builder;
    }

    public static WebApplication MapAgentHub(this WebApplication app)
    {
        var maxBytes = app.Services.GetRequiredService<IOptions<WebOptions>>().Value.HubMaxMessageBytes;
        app.MapHub<AgentHub>(Path, o =>
        {
            o.ApplicationMaxBufferSize = maxBytes;
            o.TransportMaxBufferSize = maxBytes;
            o.CloseOnAuthenticationExpiration = true;
            o.Transports = HttpTransportType.WebSockets | HttpTransportType.LongPolling;
        });
        return app;
    }

    /// <summary>Runs before the hub endpoint (and before authentication work) on every /hubs request.</summary>
    public static WebApplication UseHubOriginCheck(this WebApplication app)
    {
        app.Use(async (http, next) =>
        {
            if (!http.Request.Path.StartsWithSegments("/hubs") || await OriginAllowed(http))
            {
                await next(http);
            }
        });
        return app;
    }

    /// <summary>
    /// CORS does not protect WebSockets: a page on another origin could open the hub with our cookie.
    /// Only the page's own origin (and configured ones) may connect; clients that send no Origin are not browsers.
    /// </summary>
    private static async Task<bool> OriginAllowed(HttpContext http)
    {
        var origin = http.Request.Headers.Origin.ToString();
        if (origin.Length > 0)
        {
            var own = $"{http.Request.Scheme}://{http.Request.Host}";
            var allowed = http.RequestServices.GetRequiredService<IOptions<WebOptions>>().Value.AllowedOrigins;
            if (!string.Equals(origin, own, StringComparison.OrdinalIgnoreCase)
                && !allowed.Contains(origin, StringComparer.OrdinalIgnoreCase))
            {
                await http.RequestServices.GetRequiredService<AuditLog>()
                    .WriteAsync(http, "hub_origin_rejected", "origin", origin.Length > 200 ? origin[..200] : origin);
                http.Response.StatusCode = StatusCodes.Status403Forbidden;
                return false;
            }
        }

        return true;
    }
}
