using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace CallCenter.Callbacks;

public static class CallbacksModule
{
    /// <summary>Registers the callback scheduler: options (validated at start) and its services.</summary>
    public static IHostApplicationBuilder AddCallbacks(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<CallbacksOptions>()
            .BindConfiguration(CallbacksOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.CallingHoursStart < o.CallingHoursEnd, "Callbacks:CallingHoursStart must be before Callbacks:CallingHoursEnd.")
            .Validate(o => TryFindZone(o.DefaultTimeZone), "Callbacks:DefaultTimeZone is not a known IANA time zone.")
            .ValidateOnStart();
        return builder;
    }

    private static bool TryFindZone(string id) => TimeZoneInfo.TryFindSystemTimeZoneById(id, out _);
}
