namespace CallCenter.Callbacks.Policies;

/// <summary>What the policy says after an unsuccessful attempt.</summary>
public sealed record NextAttempt(DateTimeOffset? At, bool Exhausted, bool FirstDayFailed);

/// <summary>
/// Pure scheduling rules: given the policy, the times of the attempts that really dialed and "now", when is the
/// next attempt. The next attempt is always a new row (reliability.md §3.7); this only computes its time.
/// </summary>
public static class AttemptPlanner
{
    /// <param name="dialedAt">Claim times of the attempts that dialed (skipped checks do not count), oldest first.</param>
    public static NextAttempt AfterFailure(CallbackPolicy policy, IReadOnlyList<DateTimeOffset> dialedAt, DateTimeOffset now, CallingWindow window)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(dialedAt);
        ArgumentNullException.ThrowIfNull(window);
        if (dialedAt.Count >= policy.MaxAttempts)
        {
            return new(null, true, false);
        }

        if (policy.Settings.IsPickupCadence && dialedAt.Count > 0)
        {
            return PickupCadence(policy.Settings, dialedAt, now, window);
        }

        var earliest = dialedAt.Count == 0 ? now : Max(now, dialedAt[^1].AddMinutes(policy.Settings.SpacingMinutes));
        return Found(window.NextCallable(earliest), false);
    }

    /// <summary>"Call me later" (DTMF 2): the configured delay, still inside the window; counts as an attempt.</summary>
    public static NextAttempt CallLater(CallbackPolicy policy, int dialedCount, DateTimeOffset now, CallingWindow window)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(window);
        return dialedCount >= policy.MaxAttempts
            ? new(null, true, false)
            : Found(window.NextCallable(now.AddMinutes(policy.Settings.CallLaterMinutes)), false);
    }

    /// <summary>
    /// Pick-up reminders (000 L76, domain.md §9.1): day 0 up to N attempts spaced apart in hours; then
    /// "隔天" (offset days, §13 #7) M attempts; then weekly until the week limit (§13 #8), then a supervisor task.
    /// </summary>
    private static NextAttempt PickupCadence(PolicySettings s, IReadOnlyList<DateTimeOffset> dialedAt, DateTimeOffset now, CallingWindow window)
    {
        var zone = window.CentreZone;
        var day0 = LocalTime.DateIn(dialedAt[0], zone);
        var onDay0 = dialedAt.Count(t => LocalTime.DateIn(t, zone) == day0);
        if (onDay0 == dialedAt.Count && onDay0 < s.Day0Attempts)
        {
            var candidate = window.NextCallable(Max(now, dialedAt[^1].AddMinutes(s.Day0SpacingMinutes)));
            if (candidate is { } c && LocalTime.DateIn(c, zone) == day0)
            {
                return new(c, false, false);
            }
        }

        var afterDay0 = dialedAt.Skip(onDay0).ToList();
        var firstDayFailed = afterDay0.Count == 0;
        if (afterDay0.Count < s.SecondDayAttempts)
        {
            var secondDayStart = LocalTime.ToInstant(day0.AddDays(s.SecondDayOffsetDays), TimeOnly.MinValue, zone);
            var earliest = Max(now, secondDayStart);
            if (afterDay0.Count > 0)
            {
                earliest = Max(earliest, afterDay0[^1].AddMinutes(s.Day0SpacingMinutes));
            }

            return Found(window.NextCallable(earliest), firstDayFailed);
        }

        var weekly = afterDay0.Count - s.SecondDayAttempts;
        var weeksDone = weekly / s.WeeklyAttempts;
        if (weeksDone >= s.MaxWeeks)
        {
            return new(null, true, false);
        }

        var anchor = LocalTime.DateIn(afterDay0[s.SecondDayAttempts - 1 < 0 ? 0 : s.SecondDayAttempts - 1], zone);
        var weekStart = LocalTime.ToInstant(anchor.AddDays(7 * (weeksDone + 1)), TimeOnly.MinValue, zone);
        // Several attempts a week stay spaced like day 0.
        var from = weekly % s.WeeklyAttempts == 0 ? Max(now, weekStart) : Max(now, afterDay0[^1].AddMinutes(s.Day0SpacingMinutes));
        return Found(window.NextCallable(from), false);
    }

    private static NextAttempt Found(DateTimeOffset? at, bool firstDayFailed) =>
        at is null ? new(null, true, false) : new(at, false, firstDayFailed);

    private static DateTimeOffset Max(DateTimeOffset a, DateTimeOffset b) => a > b ? a : b;
}
