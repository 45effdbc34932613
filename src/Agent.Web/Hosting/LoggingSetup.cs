using Serilog;
using Serilog.Events;
using Serilog.Formatting.Json;

namespace CallCenter.Agent.Web.Hosting;

internal static class LoggingSetup
{
    public static Serilog.Core.Logger CreateBootstrapLogger() => new LoggerConfiguration()
        .MinimumLevel.Information()
        .WriteTo.Console(new JsonFormatter(renderMessage: true))
        .CreateLogger();

    /// <summary>Serilog core behind Microsoft.Extensions.Logging: JSON to the console and a rolling file.</summary>
    public static WebApplicationBuilder AddCallCenterLogging(this WebApplicationBuilder builder)
    {
        var formatter = new JsonFormatter(renderMessage: true);
        var config = new LoggerConfiguration()
            .MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            // Program logs start-up failures itself: once, readable, with a stack trace only when unexpected.
            .MinimumLevel.Override("Microsoft.Extensions.Hosting.Internal.Host", LogEventLevel.Fatal)
            .ReadFrom.Configuration(builder.Configuration)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Node", builder.Configuration["Node:Name"] ?? Environment.MachineName)
            .WriteTo.Console(formatter);

        var directory = builder.Configuration["Logs:Directory"];
        if (!string.IsNullOrWhiteSpace(directory))
        {
            config = config.WriteTo.File(formatter, Path.Combine(directory, "callcenter-.json"),
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 14, fileSizeLimitBytes: 100 << 20,
                rollOnFileSizeLimit: true, shared: true);
        }

        var logger = config.CreateLogger();
        Log.Logger = logger;
        builder.Logging.ClearProviders().AddSerilog(logger, dispose: false);
        return builder;
    }
}
