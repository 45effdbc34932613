using System.ComponentModel.DataAnnotations;

namespace CallCenter.Callbacks;

/// <summary>Settings of the callback scheduler, bound from the "Callbacks" section.</summary>
public sealed class CallbacksOptions
{
    public const string Section = "Callbacks";

    /// <summary>When false no attempts are dialed (the rows are still created).</summary>
    public bool Enabled { get; set; } = true;

    /// <summary>Calling hours in the customer's local time (domain.md §13 #18: 09:00-20:00).</summary>
    public TimeOnly CallingHoursStart { get; set; } = new(9, 0);

    public TimeOnly CallingHoursEnd { get; set; } = new(20, 0);

    /// <summary>Time zone of customers unless a customer row says otherwise.</summary>
    [Required]
    public string DefaultTimeZone { get; set; } = "Asia/Shanghai";

    /// <summary>Cap of dial attempts per destination number per day (reliability.md §1).</summary>
    [Range(1, 100)]
    public int MaxAttemptsPerNumberPerDay { get; set; } = 3;
}
