using System.ComponentModel.DataAnnotations;

namespace CallCenter.Agent.Web.Hosting;

/// <summary>Host-wide settings: node name and the graceful-shutdown budget.</summary>
public sealed class NodeOptions
{
    public const string Section = "Node";

    /// <summary>Names this instance in call rows and attempt claims; several nodes may share one database.</summary>
    [Required, RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string Name { get; set; } = Environment.MachineName;

    /// <summary>How long SIGTERM waits for in-flight work (calls, dial jobs) before stopping.</summary>
    [Range(1, 600)]
    public int ShutdownTimeoutSeconds { get; set; } = 30;
}

internal static class HostingSetup
{
    public static WebApplicationBuilder AddCallCenterHosting(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<NodeOptions>().BindConfiguration(NodeOptions.Section)
            .ValidateDataAnnotations().ValidateOnStart();
        var seconds = builder.Configuration.GetValue<int?>($"{NodeOptions.Section}:ShutdownTimeoutSeconds") ?? 30;
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(Math.Clamp(seconds, 1, 600)));
        builder.Services.AddSingleton(TimeProvider.System);
        return builder;
    }
}
