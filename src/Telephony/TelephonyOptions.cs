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
}

public sealed class RtpOptions
{
    // Even ports outside Linux's ephemeral range (32768-60999) so the OS never hands them to someone else.
    [Range(1024, 65534)]
    public int PortMin { get; set; } = 20000;

    [Range(1024, 65534)]
    public int PortMax { get; set; } = 29998;
}
