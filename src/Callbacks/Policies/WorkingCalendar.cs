namespace CallCenter.Callbacks.Policies;

/// <summary>
/// Mainland working days: Monday–Friday, minus public holidays, plus 调休 make-up workdays (calendar_days).
/// Immutable: the loader builds a new one when the table changes.
/// </summary>
public sealed class WorkingCalendar
{
    private readonly HashSet<DateOnly> _holidays;
    private readonly HashSet<DateOnly> _workdays;

    public WorkingCalendar(IEnumerable<DateOnly> holidays, IEnumerable<DateOnly> makeUpWorkdays)
    {
        _holidays = [.. holidays];
        _workdays = [.. makeUpWorkdays];
    }

    public static WorkingCalendar Empty { get; } = new([], []);

    public bool IsWorkingDay(DateOnly day)
    {
        if (_holidays.Contains(day))
        {
            return false;
        }

        return _workdays.Contains(day) || day.DayOfWeek is not (DayOfWeek.Saturday or DayOfWeek.Sunday);
    }

    /// <summary>The n-th working day after <paramref name="day"/> (n ≥ 1); the start day itself never counts.</summary>
    public DateOnly AddWorkingDays(DateOnly day, int n)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        var d = day;
        for (var counted = 0; counted < n;)
        {
            d = d.AddDays(1);
            if (IsWorkingDay(d))
            {
                counted++;
            }
        }

        return d;
    }

    /// <summary>
    /// "N working days" from an instant: the same local time of day on the N-th working day after the local date
    /// (004 L257 "3个工作日内"); holidays and 调休 workdays come from the calendar.
    /// </summary>
    public DateTimeOffset AddWorkingDays(DateTimeOffset from, int n, TimeZoneInfo zone)
    {
        var local = TimeZoneInfo.ConvertTime(from, zone);
        var day = AddWorkingDays(DateOnly.FromDateTime(local.DateTime), n);
        return LocalTime.ToInstant(day, TimeOnly.FromDateTime(local.DateTime), zone);
    }
}

/// <summary>Opening hours per weekday in the centre's time zone (business_hours, service_line_id NULL).</summary>
public sealed class BusinessHours(IReadOnlyDictionary<DayOfWeek, (TimeOnly Opens, TimeOnly Closes)> hours)
{
    public static BusinessHours AlwaysOpen { get; } = new(Enum.GetValues<DayOfWeek>()
        .ToDictionary(d => d, _ => (TimeOnly.MinValue, TimeOnly.MaxValue)));

    public bool TryGet(DayOfWeek day, out TimeOnly opens, out TimeOnly closes)
    {
        if (hours.TryGetValue(day, out var h))
        {
            (opens, closes) = h;
            return true;
        }

        opens = closes = default;
        return false;
    }
}

internal static class LocalTime
{
    /// <summary>Local wall time → instant; a time in a DST gap moves forward an hour (not in Asia/Shanghai, but customers may live elsewhere).</summary>
    public static DateTimeOffset ToInstant(DateOnly day, TimeOnly time, TimeZoneInfo zone)
    {
        var local = day.ToDateTime(time, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
        {
            local = local.AddHours(1);
        }

        var utc = TimeZoneInfo.ConvertTimeToUtc(local, zone);
        return new DateTimeOffset(utc, TimeSpan.Zero);
    }

    public static DateOnly DateIn(DateTimeOffset instant, TimeZoneInfo zone) =>
        DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
}
