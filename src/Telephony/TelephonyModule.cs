using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using CallCenter.Telephony.Screening;
using CallCenter.Telephony.Transcription;

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
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<TelephonyOptions>, TelephonyOptionsNestedValidation>();
        builder.Services.AddSingleton<Calls.CallEventBus>();
        builder.AddScreening();
        builder.AddTranscription();
        return builder;
    }
}

/// <summary>DataAnnotations do not recurse into nested objects; this checks the nested sections.</summary>
internal sealed class TelephonyOptionsNestedValidation : IValidateOptions<TelephonyOptions>
{
    public ValidateOptionsResult Validate(string? name, TelephonyOptions options)
    {
        var failures = new List<string>();
        Check(options.Sip, "Telephony:Sip", failures);
        Check(options.Rtp, "Telephony:Rtp", failures);
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
