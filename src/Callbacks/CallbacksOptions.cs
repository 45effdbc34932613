using System.ComponentModel.DataAnnotations;

namespace CallCenter.Callbacks;

/// <summary>Settings of the callback scheduler, bound from the "Callbacks" section.</summary>
public sealed class CallbacksOptions
{
    public const string Section = "Callbacks";

    /// <summary>When false no attempts are dialed (the rows are still created).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Calling hours in the customer's local time (domain.md §13 #18: 09:00-20:00); the rest are quiet hours.</summary>
    public TimeOnly CallingHoursStart { get; set; } = new(9, 0);

    public TimeOnly CallingHoursEnd { get; set; } = new(20, 0);

    /// <summary>Time zone of the centre (business hours, calendar) and of customers unless their row says otherwise.</summary>
    [Required]
    public string DefaultTimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Cap of dial attempts per destination number per day (reliability.md §1).</summary>
    [Range(1, 100)]
    public int MaxAttemptsPerNumberPerDay { get; set; } = 3;

    /// <summary>Name of this node in attempt claims; defaults to Node:Name, then the machine name.</summary>
    [RegularExpression("^[A-Za-z0-9._-]{1,64}$")]
    public string? NodeName { get; set; }

    /// <summary>How often Quartz wakes the dial sweep (the due-to-dial delay is at most about this).</summary>
    [Range(200, 60_000)]
    public int SweepIntervalMilliseconds { get; set; } = 1000;

    /// <summary>How often the reconciler runs (unknown outcomes, SLA warnings and breaches, promise alerts).</summary>
    [Range(1, 3600)]
    public int ReconcileIntervalSeconds { get; set; } = 30;

    /// <summary>Dials in flight per node; the sweep claims no more than there are free slots.</summary>
    [Range(1, 1000)]
    public int MaxConcurrentDials { get; set; } = 20;

    /// <summary>Dials started per second by this node (0 = no cap): keeps a burst of due callbacks from flooding the trunk.</summary>
    [Range(0, 10_000)]
    public int MaxDialsPerSecond { get; set; }

    /// <summary>An attempt still 'dialing' after this long is marked 'unknown' and never redialed automatically.</summary>
    [Range(1, 600)]
    public int MaxCallDurationMinutes { get; set; } = 60;

    /// <summary>The reconciler logs an error when scheduled attempts are this late and nothing is dialing (silent stall).</summary>
    [Range(1, 1440)]
    public int StallAlarmMinutes { get; set; } = 10;

    /// <summary>Toll-fraud defence: international destinations are refused unless this is set.</summary>
    public bool AllowInternational { get; set; }

    /// <summary>Toll-fraud defence: premium and service prefixes are refused unless this is set.</summary>
    public bool AllowPremium { get; set; }

    /// <summary>Premium-rate, information and service prefixes (normalised national digits).</summary>
    public IList<string> PremiumPrefixes { get; } = ["168", "1690", "1259", "106", "95", "96", "400", "800", "900"];
}
