using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Screening;

public static class ScreeningModule
{
    /// <summary>Registers the screening engine: options (validated at start), the rule catalog, the service and the database sync.</summary>
    public static IHostApplicationBuilder AddScreening(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<ScreeningOptions>()
            .BindConfiguration(ScreeningOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.FuzzyOneEditFrom <= o.FuzzyTwoEditsFrom, "Telephony:Screening:FuzzyOneEditFrom must not exceed FuzzyTwoEditsFrom.")
            .ValidateOnStart();
        // The rule files are validated when the catalog is built; resolving it at start makes a bad file stop the host.
        builder.Services.AddSingleton(sp => new ScreeningCatalog(sp.GetRequiredService<IOptions<ScreeningOptions>>().Value.Fuzzy));
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<ScreeningService>();
        builder.Services.AddHostedService<ScreeningRuleSync>();
        return builder;
    }
}
