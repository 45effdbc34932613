using System.Text.Json;

namespace CallCenter.Callbacks.Policies;

public enum DialMode
{
    AgentFirst,
    Automated,
}

/// <summary>One row of callback_policies with its settings JSON read into typed values (missing keys get safe defaults).</summary>
public sealed record CallbackPolicy(
    string Code,
    DialMode Mode,
    int Priority,
    int MaxAttempts,
    PolicySettings Settings)
{
    public static CallbackPolicy From(string code, string mode, int priority, int maxAttempts, string settingsJson) =>
        new(code, mode == "automated" ? DialMode.Automated : DialMode.AgentFirst, priority, maxAttempts, PolicySettings.Parse(settingsJson));
}

/// <summary>The keys of callback_policies.settings the scheduler understands (domain.md §9.1).</summary>
public sealed record PolicySettings
{
    public int Day0Attempts { get; init; }
    public int Day0SpacingMinutes { get; init; } = 120;
    public int SecondDayOffsetDays { get; init; } = 1;
    public int SecondDayAttempts { get; init; } = 1;
    public int WeeklyAttempts { get; init; } = 1;
    public int MaxWeeks { get; init; }
    public bool SmsAfterFirstFailedDay { get; init; }
    public int SpacingMinutes { get; init; } = 60;
    public int CallLaterMinutes { get; init; } = 120;
    public bool WorkingDaysOnly { get; init; }
    public int DelayMinutes { get; init; }
    public int DelayWorkingDays { get; init; }
    public int DueHours { get; init; }
    public int DueWorkingDays { get; init; }
    public int WarnMinutesBefore { get; init; }
    public int SupervisorAlertMinutesBefore { get; init; }

    /// <summary>The pick-up cadence (day 0 / next day / weekly) applies when day-0 attempts are configured.</summary>
    public bool IsPickupCadence => Day0Attempts > 0;

    public static PolicySettings Parse(string json)
    {
        using var doc = JsonDocument.Parse(string.IsNullOrWhiteSpace(json) ? "{}" : json);
        var r = doc.RootElement;
        int I(string name, int fallback) => r.TryGetProperty(name, out var v) && v.TryGetInt32(out var i) ? i : fallback;
        bool B(string name, bool fallback) => r.TryGetProperty(name, out var v) && v.ValueKind is JsonValueKind.True or JsonValueKind.False ? v.GetBoolean() : fallback;
        var d = new PolicySettings();
        return new PolicySettings
        {
            Day0Attempts = I("day0Attempts", d.Day0Attempts),
            Day0SpacingMinutes = I("day0SpacingMinutes", d.Day0SpacingMinutes),
            SecondDayOffsetDays = I("secondDayOffsetDays", d.SecondDayOffsetDays),
            SecondDayAttempts = I("secondDayAttempts", d.SecondDayAttempts),
            WeeklyAttempts = Math.Max(1, I("weeklyAttempts", d.WeeklyAttempts)),
            MaxWeeks = I("maxWeeks", d.MaxWeeks),
            SmsAfterFirstFailedDay = B("smsAfterFirstFailedDay", d.SmsAfterFirstFailedDay),
            SpacingMinutes = I("spacingMinutes", d.SpacingMinutes),
            CallLaterMinutes = I("callLaterMinutes", d.CallLaterMinutes),
            WorkingDaysOnly = B("workingDaysOnly", d.WorkingDaysOnly),
            DelayMinutes = I("delayMinutes", d.DelayMinutes),
            DelayWorkingDays = I("delayWorkingDays", d.DelayWorkingDays),
            DueHours = I("dueHours", d.DueHours),
            DueWorkingDays = I("dueWorkingDays", d.DueWorkingDays),
            WarnMinutesBefore = I("warnMinutesBefore", d.WarnMinutesBefore),
            SupervisorAlertMinutesBefore = I("supervisorAlertMinutesBefore", d.SupervisorAlertMinutesBefore),
        };
    }
}
