using System.Net;
using Microsoft.Extensions.Configuration;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Media;
using CallCenter.Telephony.Routing;
using CallCenter.Telephony.Sip;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using CallCenter.Telephony.Screening;
using CallCenter.Telephony.Transcription;
using CallCenter.Telephony.Pipeline;

namespace CallCenter.Telephony;

public static class TelephonyModule
{
    /// <summary>Registers the softswitch: options (validated at start) and its services.</summary>
    public static IHostApplicationBuilder AddTelephony(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<TelephonyOptions>()
            .BindConfiguration(TelephonyOptions.Section)
            .ValidateDataAnnotations()
            .Validate(o => o.Rtp.PortMin < o.Rtp.PortMax, "Telephony:Rtp:PortMin must be below Telephony:Rtp:PortMax.")
            .Validate(o => o.Rtp.PortMin % 2 == 0, "Telephony:Rtp:PortMin must be even (RTP on even ports, RTCP on the odd one above).")
            .Validate(o => System.Net.IPAddress.TryParse(o.Sip.BindAddress, out _), "Telephony:Sip:BindAddress must be an IP address.")
            .Validate(o => o.Sip.DigestAlgorithmList.Any() && o.Sip.DigestAlgorithmList.All(a => a is "SHA-256" or "MD5"), "Telephony:Sip:DigestAlgorithms may only list SHA-256 and MD5.")
            .Validate(o => o.Sip.NonceSecret is null || Agents.NonceSecrets.TryDecode(o.Sip.NonceSecret) is not null, "Telephony:Sip:NonceSecret must be base64 of at least 16 bytes.")
            .Validate(o => KnownZone(o.Calls.TimeZone), "Telephony:Calls:TimeZone must be a time zone known on this host (IANA id, e.g. Asia/Shanghai).")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelephonyOptions>, TelephonyOptionsNestedValidation>();
        builder.Services.AddSingleton<Calls.CallEventBus>();
        builder.AddScreening();
        builder.AddTranscription();
        builder.AddCallPipeline();
        AddSoftswitch(builder.Services);
        if (builder.Configuration.GetValue(TelephonyOptions.Section + ":Sip:Enabled", true))
        {
            // Needs NpgsqlDataSource from DI (registered by the host).
            builder.Services.AddSingleton<SipServer>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<SipServer>());
            builder.Services.AddSingleton<Agents.RegistrationSweeper>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<Agents.RegistrationSweeper>());
            builder.Services.AddHostedService<Agents.WrapUpSweeper>();
        }

        return builder;
    }

    private static void AddSoftswitch(IServiceCollection services)
    {
        services.AddMetrics();
        services.TryAddSingleton(TimeProvider.System);
        services.AddSingleton<SipMetrics>();
        services.AddSingleton<MediaMetrics>();
        services.AddSingleton<TelephonyMetrics>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<TelephonyOptions>>().Value.Sip;
            var trusted = o.TrustedAddresses.Select(IPAddress.Parse).ToHashSet();
            return new FloodGuard(o.FloodRatePerSecond, o.FloodBurst, trusted, sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton(sp => new SipCore(SipTimers.Default, sp.GetRequiredService<SipMetrics>(), sp.GetRequiredService<FloodGuard>(),
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<SipCore>>()));
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<TelephonyOptions>>().Value;
            return new RtpPortPool(IPAddress.Parse(o.Sip.BindAddress), o.Rtp.PortMin, o.Rtp.PortMax);
        });
        services.AddSingleton<PromptPlayer>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<TelephonyOptions>>().Value;
            return new PromptLibrary(o.PromptsPath ?? Path.Combine(AppContext.BaseDirectory, "Prompts"), sp.GetRequiredService<ILogger<PromptLibrary>>());
        });
        services.AddSingleton<DnisMap>();
        services.AddSingleton<LineHours>();
        services.AddSingleton<NuisanceRules>();
        services.AddSingleton<CallStore>();
        services.AddSingleton(sp =>
        {
            var o = sp.GetRequiredService<IOptions<TelephonyOptions>>().Value.Sip;
            var secret = o.NonceSecret is { } s ? Agents.NonceSecrets.TryDecode(s)! : System.Security.Cryptography.RandomNumberGenerator.GetBytes(32);
            return new Agents.DigestAuth(secret, TimeSpan.FromSeconds(o.NonceLifetimeSeconds), sp.GetRequiredService<TimeProvider>());
        });
        services.AddSingleton<Agents.RegistrationStore>();
        services.AddSingleton<Agents.AgentStates>();
        services.AddSingleton<Agents.Registrar>();
        services.AddSingleton<Agents.AgentSelector>();
        services.AddSingleton<Agents.AgentRinger>();
        services.AddSingleton<Acd.QueueStore>();
        services.AddSingleton<Acd.QueueAttendant>();
        Outbound.OutboundModule.AddOutbound(services);
        services.AddSingleton(sp =>
        {
            // In-dialog requests of outbound calls reach the outbound side through the call manager (CallManager.Outbound.cs).
            var manager = ActivatorUtilities.CreateInstance<CallManager>(sp);
            manager.OutboundDialogs = sp.GetRequiredService<Outbound.OutboundDialogs>();
            return manager;
        });
    }

    private static bool KnownZone(string id) => CentreTime.TryZone(id, out _);
}

/// <summary>DataAnnotations do not recurse into nested objects; this checks the nested sections.</summary>
internal sealed class TelephonyOptionsNestedValidation : IValidateOptions<TelephonyOptions>
{
    public ValidateOptionsResult Validate(string? name, TelephonyOptions options)
    {
        var failures = new List<string>();
        Check(options.Sip, "Telephony:Sip", failures);
        Check(options.Rtp, "Telephony:Rtp", failures);
        Check(options.Calls, "Telephony:Calls", failures);
        Check(options.Acd, "Telephony:Acd", failures);
        Check(options.Queue, "Telephony:Queue", failures);
        foreach (var address in options.Sip.TrustedAddresses)
        {
            if (!System.Net.IPAddress.TryParse(address, out _))
            {
                failures.Add("Telephony:Sip:TrustedAddresses: '" + address + "' is not an IP address.");
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private static void Check(object section, string prefix, List<string> failures)
    {
        var results = new List<System.ComponentModel.DataAnnotations.ValidationResult>();
        if (!System.ComponentModel.DataAnnotations.Validator.TryValidateObject(section, new(section), results, validateAllProperties: true))
        {
            failures.AddRange(results.Select(r => $"{prefix}: {r.ErrorMessage}"));
        }
    }
}
