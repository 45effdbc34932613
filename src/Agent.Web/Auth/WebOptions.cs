using System.ComponentModel.DataAnnotations;

namespace CallCenter.Agent.Web.Auth;

/// <summary>Login, cookie and hub settings, bound from the "Web" section.</summary>
public sealed class WebOptions
{
    public const string Section = "Web";

    /// <summary>Failed logins in a row before the account is locked.</summary>
    [Range(1, 100)]
    public int MaxFailedLogins { get; set; } = 5;

    /// <summary>How long a locked account stays locked.</summary>
    [Range(1, 24 * 60)]
    public int LockoutMinutes { get; set; } = 15;

    /// <summary>Sliding lifetime of the login cookie (short, because desks are shared).</summary>
    [Range(5, 24 * 60)]
    public int CookieMinutes { get; set; } = 60;

    /// <summary>Extra origins allowed to open the hub (the page's own origin is always allowed).</summary>
    public IList<string> AllowedOrigins { get; } = [];

    /// <summary>Largest SignalR message a client may send (SignalR's default, kept explicit).</summary>
    [Range(1024, 1 << 20)]
    public int HubMaxMessageBytes { get; set; } = 32 * 1024;

    /// <summary>How often new transcript segments and screening hits are read and pushed.</summary>
    [Range(100, 60_000)]
    public int TranscriptPollMilliseconds { get; set; } = 500;

    /// <summary>
    /// Where the login-cookie keys are kept. Nodes behind one load balancer must share it (a shared volume),
    /// or a cookie issued by one node is refused by the others. Empty: the framework's per-user default.
    /// </summary>
    public string? DataProtectionKeysDirectory { get; set; }
}
