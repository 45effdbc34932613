using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Outbound;

/// <summary>Outbound calls through the carrier's SIP trunk, bound from "Telephony:Outbound". No trunk: outbound is off.</summary>
public sealed class OutboundOptions
{
    public const string Section = "Telephony:Outbound";

    /// <summary>The trunk or outbound proxy as IP:port (UDP). Empty disables outbound calls (the dialer reports Failed).</summary>
    public string? Trunk { get; set; }

    /// <summary>Our caller ID on the trunk (the line's number, digits); required when a trunk is set.</summary>
    [RegularExpression("^[0-9]{3,20}$")]
    public string? CallerId { get; set; }

    /// <summary>Ringing longer than this is cancelled and counts as no answer.</summary>
    [Range(5, 300)]
    public int MaxRingSeconds { get; set; } = 45;

    /// <summary>An answered outbound call is ended by us after this long (runaway calls cost money).</summary>
    [Range(10, 7200)]
    public int MaxCallSeconds { get; set; } = 300;

    /// <summary>
    /// Last line of toll-fraud defence: destinations (digits) must match this. Default: mainland mobile and fixed-line
    /// numbers only, not the 1690 information-service range (the callback scheduler checks premium, international and
    /// short codes before this).
    /// </summary>
    [Required]
    public string AllowedDestinationPattern { get; set; } = "^(?!1690)(1[3-9][0-9]{9}|0[1-9][0-9]{8,10})$";

    /// <summary>How long an automated call waits for a key after its prompt (once more after the re-prompt).</summary>
    [Range(1, 120)]
    public int DigitTimeoutSeconds { get; set; } = 8;

    /// <summary>Outbound calls in progress at once on this node; more are refused (Failed) without dialing.</summary>
    [Range(1, 10_000)]
    public int MaxConcurrentCalls { get; set; } = 100;

    /// <summary>
    /// Service line (code) whose longest-idle available agent takes an agent-first callback when its owner cannot
    /// (none, busy, no answer). Empty: owners only; callbacks without a reachable owner end "no agent answered".
    /// </summary>
    public string? AgentLine { get; set; }

    internal bool Enabled => !string.IsNullOrWhiteSpace(Trunk);

    internal static bool TryParseTrunk(string? text, out IPEndPoint endPoint)
    {
        endPoint = null!;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !IPAddress.TryParse(text[..colon].Trim('[', ']'), out var ip)
            || !int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
        {
            return false;
        }

        endPoint = new IPEndPoint(ip, port);
        return true;
    }
}

/// <summary>Checks what DataAnnotations cannot: the trunk address, the caller ID with a trunk, the pattern compiles.</summary>
internal sealed class OutboundOptionsValidation : IValidateOptions<OutboundOptions>
{
    public ValidateOptionsResult Validate(string? name, OutboundOptions options)
    {
        var failures = new List<string>();
        if (options.Enabled)
        {
            if (!OutboundOptions.TryParseTrunk(options.Trunk, out _))
            {
                failures.Add("Telephony:Outbound:Trunk must be IP:port (e.g. 10.0.0.5:5060).");
            }

            if (string.IsNullOrWhiteSpace(options.CallerId))
            {
                failures.Add("Telephony:Outbound:CallerId is required when Telephony:Outbound:Trunk is set.");
            }
        }

        try
        {
            _ = new Regex(options.AllowedDestinationPattern, RegexOptions.CultureInvariant, TimeSpan.FromMilliseconds(100));
        }
        catch (ArgumentException)
        {
            failures.Add("Telephony:Outbound:AllowedDestinationPattern is not a valid regular expression.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
