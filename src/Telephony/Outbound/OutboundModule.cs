using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Outbound;

internal static class OutboundModule
{
    /// <summary>Outbound calls: options "Telephony:Outbound" (validated at start), the dialog registry and the dialer.</summary>
    public static void AddOutbound(IServiceCollection services)
    {
        services.AddOptions<OutboundOptions>()
            .BindConfiguration(OutboundOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IValidateOptions<OutboundOptions>, OutboundOptionsValidation>();
        services.AddSingleton<OutboundDialogs>();
        services.AddSingleton<OutboundCallStore>();
        services.AddSingleton<OutboundDialer>();
    }
}
