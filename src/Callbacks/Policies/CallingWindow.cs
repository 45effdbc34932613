namespace CallCenter.Callbacks.Policies;

/// <summary>
/// When a callback may ring: the centre's business hours (and working days for policies that want them), the
/// customer's calling hours (quiet hours are the rest of the day) and preferred window, each in its own time zone.
/// </summary>
public sealed record CallingWindow(
    TimeZoneInfo CentreZone,
    WorkingCalendar Calendar,
    BusinessHours Business,
    bool WorkingDaysOnly,
    TimeZoneInfo CustomerZone,
    TimeOnly CallingStart,
    TimeOnly CallingEnd,
    TimeOnly? PreferredStart = null,
    TimeOnly? PreferredEnd = null)
{
    // A year and a bit: a calendar without any callable day is a configuration error, not an endless loop.
    private const int HorizonDays = 400;

    public bool IsCallable(DateTimeOffset instant) => NextCallable(instant) == instant;

    /// <summary>The first callable instant at or after <paramref name="from"/>, or null if none within the horizon.</summary>
    public DateTimeOffset? NextCallable(DateTimeOffset from)
    {
        var first = LocalTime.DateIn(from, CentreZone);
        for (var i = 0; i < HorizonDays; i++)
        {
            var day = first.AddDays(i);
            if (WorkingDaysOnly && !Calendar.IsWorkingDay(day))
            {
                continue;
            }

            if (!Business.TryGet(day.DayOfWeek, out var opens, out var closes))
            {
                continue;
            }

            List<(DateTimeOffset Start, DateTimeOffset End)> spans =
                [(LocalTime.ToInstant(day, opens, CentreZone), EndOf(day, closes, CentreZone))];
            spans = Intersect(spans, Daily(day, CallingStart, CallingEnd));
            if (PreferredStart is { } ps && PreferredEnd is { } pe)
            {
                spans = Intersect(spans, Daily(day, ps, pe));
            }

            foreach (var (start, end) in spans.OrderBy(s => s.Start))
            {
                if (end > from)
                {
                    return start > from ? start : from;
                }
            }
        }

        return null;
    }

    // TimeOnly.MaxValue stands for "until midnight".
    private static DateTimeOffset EndOf(DateOnly day, TimeOnly closes, TimeZoneInfo zone) =>
        closes == TimeOnly.MaxValue ? LocalTime.ToInstant(day.AddDays(1), TimeOnly.MinValue, zone) : LocalTime.ToInstant(day, closes, zone);

    /// <summary>The customer-local daily window around a centre-local day (customer dates may differ by one).</summary>
    private List<(DateTimeOffset Start, DateTimeOffset End)> Daily(DateOnly centreDay, TimeOnly start, TimeOnly end)
    {
        var spans = new List<(DateTimeOffset, DateTimeOffset)>(4);
        for (var d = -1; d <= 1; d++)
        {
            var day = centreDay.AddDays(d);
            var s = LocalTime.ToInstant(day, start, CustomerZone);
            // A window whose end is not after its start wraps midnight (e.g. 20:00–08:00).
            var e = end > start ? EndOf(day, end, CustomerZone) : EndOf(day.AddDays(1), end, CustomerZone);
            spans.Add((s, e));
        }

        return spans;
    }

    private static List<(DateTimeOffset Start, DateTimeOffset End)> Intersect(
        List<(DateTimeOffset Start, DateTimeOffset End)> a, List<(DateTimeOffset Start, DateTimeOffset End)> b)
    {
        var result = new List<(DateTimeOffset, DateTimeOffset)>();
        foreach (var x in a)
        {
            foreach (var y in b)
            {
                var s = x.Start > y.Start ? x.Start : y.Start;
                var e = x.End < y.End ? x.End : y.End;
                if (e > s)
                {
                    result.Add((s, e));
                }
            }
        }

        return result;
    }
}
