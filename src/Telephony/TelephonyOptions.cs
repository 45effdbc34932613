using System.ComponentModel.DataAnnotations;

namespace CallCenter.Telephony;

/// <summary>Settings of the softswitch, bound from the "Telephony" section.</summary>
public sealed class TelephonyOptions
{
    public const string Section = "Telephony";

    [Required]
    public SipOptions Sip { get; set; } = new();

    [Required]
    public RtpOptions Rtp { get; set; } = new();

    /// <summary>Folder for call recordings (WAV), created at start.</summary>
    [Required]
    public string RecordingsPath { get; set; } = "recordings";

    /// <summary>Folder of the announcement WAVs (8 kHz mono); defaults to the Prompts folder shipped with the app.</summary>
    public string? PromptsPath { get; set; }

    /// <summary>Name of this instance in calls.node; calls it left open are marked interrupted at its next start.</summary>
    public string? NodeName { get; set; }

    [Required]
    public CallOptions Calls { get; set; } = new();

    [Required]
    public AcdOptions Acd { get; set; } = new();

    [Required]
    public QueueOptions Queue { get; set; } = new();
}

/// <summary>Routing queued calls to agents and bridging them.</summary>
public sealed class AcdOptions
{
    /// <summary>When false queued calls wait without ringing agents (the pre-ACD behaviour).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>After a bridged call the agent stays in wrap_up this long, then becomes available.</summary>
    [Range(0, 3600)]
    public int WrapUpSeconds { get; set; } = 15;

    /// <summary>Pause before ringing again when no agent answered or none was available.</summary>
    [Range(100, 60_000)]
    public int RetryPauseMilliseconds { get; set; } = 2000;
}

/// <summary>What a caller hears while queued (Telephony:Queue); the offer time is the line's max_wait_seconds.</summary>
public sealed class QueueOptions
{
    /// <summary>The position in queue is announced on entry and then every this many seconds.</summary>
    [Range(5, 3600)]
    public int AnnounceIntervalSeconds { get; set; } = 30;

    /// <summary>After the callback offer has played, how long to wait for 1 or 2 before waiting on.</summary>
    [Range(1, 120)]
    public int OfferDigitTimeoutSeconds { get; set; } = 8;

    /// <summary>Hold audio looped between announcements (a file in the prompts folder).</summary>
    [Required]
    public string HoldPrompt { get; set; } = "queue_hold.wav";
}

public sealed class CallOptions
{
    /// <summary>Concurrent calls beyond this are refused with 503 (admission control).</summary>
    [Range(1, 100_000)]
    public int MaxConcurrentCalls { get; set; } = 1000;

    /// <summary>Call set-ups (database work before answering) in progress at once; more get 503.</summary>
    [Range(1, 10_000)]
    public int MaxSetupsInFlight { get; set; } = 200;

    /// <summary>Ringing (180) before answering; 0 answers at once.</summary>
    [Range(0, 60_000)]
    public int RingMilliseconds { get; set; }

    /// <summary>A queued call is ended by us after this long (toll-free traffic pumping, reliability.md §1).</summary>
    [Range(1, 86_400)]
    public int MaxDurationSeconds { get; set; } = 3600;

    /// <summary>No RTP from the caller for this long ends the call with a BYE.</summary>
    [Range(1, 3600)]
    public int RtpInactivitySeconds { get; set; } = 30;

    /// <summary>Prompt played to callers a nuisance rule with action "announce" catches.</summary>
    [Required]
    public string NuisancePrompt { get; set; } = "nuisance.wav";

    /// <summary>Prompt for lines without their own welcome_prompt.</summary>
    [Required]
    public string DefaultWelcomePrompt { get; set; } = "welcome.wav";

    /// <summary>Prompt for callers of a line outside its own business hours (the call then ends as 'closed').</summary>
    [Required]
    public string ClosedPrompt { get; set; } = "closed.wav";

    /// <summary>IANA zone that lines' business hours and holidays are read in (the centre's).</summary>
    [Required]
    public string TimeZone { get; set; } = "Asia/Shanghai";
}

public sealed class SipOptions
{
    /// <summary>When false the host runs without a SIP listener (web and callbacks only).</summary>
    public bool Enabled { get; set; } = true;

    [Required]
    public string BindAddress { get; set; } = "127.0.0.1";

    [Range(1, 65535)]
    public int Port { get; set; } = 5060;

    /// <summary>Address written into SDP and Contact headers; defaults to the bind address.</summary>
    public string? PublicAddress { get; set; }

    /// <summary>Also listen for SIP over TCP on the same address and port.</summary>
    public bool TcpEnabled { get; set; } = true;

    [Range(1, 100_000)]
    public int MaxTcpConnections { get; set; } = 1000;

    /// <summary>Per-source request rate (INVITE, OPTIONS, REGISTER ...) before datagrams are dropped unparsed; 0 disables.</summary>
    [Range(0, 100_000)]
    public double FloodRatePerSecond { get; set; } = 50;

    [Range(1, 100_000)]
    public double FloodBurst { get; set; } = 100;

    /// <summary>Digest realm of agents' phones; the demo seeder computes HA1 hashes with "callcenter".</summary>
    [Required]
    public string Realm { get; set; } = "callcenter";

    /// <summary>
    /// Algorithms offered in 401 challenges, comma-separated, preferred first (RFC 8760). Some phones (and sipp)
    /// read only the first challenge, so sites with such phones put MD5 first.
    /// </summary>
    [Required]
    public string DigestAlgorithms { get; set; } = "SHA-256,MD5";

    internal IEnumerable<string> DigestAlgorithmList => DigestAlgorithms.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>
    /// User-Agent prefixes, comma-separated, of phones that give up on a 401 carrying any challenge other than MD5
    /// instead of picking the one they know (RFC 8760 §2.4): they are challenged with MD5 alone, when MD5 is allowed.
    /// Seen: Debian 12's baresip 1.0 (libre fails the REGISTER with ENOSYS). Empty turns the exception off.
    /// </summary>
    public string Md5OnlyUserAgents { get; set; } = "baresip v1.";

    internal IEnumerable<string> Md5OnlyUserAgentList => Md5OnlyUserAgents.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);

    /// <summary>A nonce older than this gets a challenge with stale=TRUE.</summary>
    [Range(10, 86_400)]
    public int NonceLifetimeSeconds { get; set; } = 300;

    /// <summary>Base64 secret (16+ bytes) that signs nonces; set the same on every node. Random per process when empty.</summary>
    public string? NonceSecret { get; set; }

    [Range(1, 86_400)]
    public int MinRegistrationSeconds { get; set; } = 60;

    [Range(1, 86_400)]
    public int DefaultRegistrationSeconds { get; set; } = 3600;

    [Range(1, 86_400)]
    public int MaxRegistrationSeconds { get; set; } = 3600;

    [Range(1, 100)]
    public int MaxContactsPerRegister { get; set; } = 10;

    /// <summary>REGISTERs being checked against the database at once; more get 503 (a flood cannot starve calls).</summary>
    [Range(1, 10_000)]
    public int MaxRegistrationsInFlight { get; set; } = 50;

    /// <summary>Addresses exempt from the flood limits (the carrier's trunk, a load balancer).</summary>
    public List<string> TrustedAddresses { get; set; } = [];
}

public sealed class RtpOptions
{
    // Even ports outside Linux's ephemeral range (32768-60999) so the OS never hands them to someone else.
    [Range(1024, 65534)]
    public int PortMin { get; set; } = 20000;

    [Range(1024, 65534)]
    public int PortMax { get; set; } = 29998;
}
