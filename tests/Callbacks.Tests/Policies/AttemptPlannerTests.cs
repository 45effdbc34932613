using CallCenter.Callbacks.Policies;
using static CallCenter.Callbacks.Tests.Policies.CallingWindowTests;
using static CallCenter.Callbacks.Tests.Policies.WorkingCalendarTests;

namespace CallCenter.Callbacks.Tests.Policies;

public sealed class AttemptPlannerTests
{
    // The seeded pick-up reminder policy of migrations 0005 + 0020.
    internal static CallbackPolicy Pickup { get; } = CallbackPolicy.From("pickup_reminder", "automated", 4, 14,
        """{"day0Attempts":3,"day0SpacingMinutes":120,"secondDayOffsetDays":1,"secondDayAttempts":1,"weeklyAttempts":1,"maxWeeks":8,"smsAfterFirstFailedDay":true,"workingDaysOnly":true,"callLaterMinutes":120}""");

    private static readonly CallbackPolicy Abandoned = CallbackPolicy.From("abandoned", "agent_first", 3, 3,
        """{"spacingMinutes":30,"workingDaysOnly":false,"callLaterMinutes":60}""");

    [Fact]
    public void APickupReminderCustomerWhoNeverAnswersGetsThreeTriesThenTheNextDayThenWeeklyThenASupervisor()
    {
        // D-6: ready Monday 2026-03-02 10:00; every attempt goes unanswered and is dialed the moment it is due.
        var window = Window(workingDaysOnly: true);
        var dialed = new List<DateTimeOffset> { Cst(2026, 3, 2, 10) };
        var expected = new[]
        {
            Cst(2026, 3, 2, 12), Cst(2026, 3, 2, 14),                   // day 0: 3 attempts, 2 h apart
            Cst(2026, 3, 3, 9),                                          // 隔天 (next day)
            Cst(2026, 3, 10, 9), Cst(2026, 3, 17, 9), Cst(2026, 3, 24, 9), Cst(2026, 3, 31, 9),
            Cst(2026, 4, 7, 9),                                          // 04-07: Tuesday after 清明 is a working day
            Cst(2026, 4, 14, 9), Cst(2026, 4, 21, 9), Cst(2026, 4, 28, 9), // 8 weekly attempts
        };
        var smsAfter = new List<int>();
        foreach (var at in expected)
        {
            var next = AttemptPlanner.AfterFailure(Pickup, dialed, dialed[^1], window);
            next.Exhausted.ShouldBeFalse();
            next.At.ShouldBe(at);
            if (next.FirstDayFailed)
            {
                smsAfter.Add(dialed.Count);
            }

            dialed.Add(at);
        }

        smsAfter.ShouldBe([3]);                                          // SMS fallback once, after the failed first day
        var last = AttemptPlanner.AfterFailure(Pickup, dialed, dialed[^1], window);
        last.Exhausted.ShouldBeTrue();                                   // 12 attempts, 8 weeks: supervisor task
        last.At.ShouldBeNull();
    }

    [Fact]
    public void AReminderLateInTheDayMovesToTheNextDayWhenTheSpacingLeavesBusinessHours()
    {
        var window = Window(workingDaysOnly: true);
        var dialed = new List<DateTimeOffset> { Cst(2026, 3, 2, 17, 30) };
        AttemptPlanner.AfterFailure(Pickup, dialed, dialed[^1], window).At.ShouldBe(Cst(2026, 3, 2, 19, 30));
        dialed.Add(Cst(2026, 3, 2, 19, 30));
        var next = AttemptPlanner.AfterFailure(Pickup, dialed, dialed[^1], window);
        next.At.ShouldBe(Cst(2026, 3, 3, 9));
        next.FirstDayFailed.ShouldBeTrue();
    }

    [Fact]
    public void AReminderDueOnAFridayEveningWaitsForTheNextWorkingDayAfterTheHoliday()
    {
        // Day 0 is Friday 04-03; "next day" lands on 清明, so the attempt moves to Tuesday 04-07.
        var window = Window(workingDaysOnly: true);
        var dialed = new List<DateTimeOffset> { Cst(2026, 4, 3, 15), Cst(2026, 4, 3, 17), Cst(2026, 4, 3, 19) };
        AttemptPlanner.AfterFailure(Pickup, dialed, Cst(2026, 4, 3, 19, 1), window).At.ShouldBe(Cst(2026, 4, 7, 9));
    }

    [Fact]
    public void BackoffSpacesAttemptsAndStopsAtTheMaximum()
    {
        var window = Window(workingDaysOnly: false);
        var dialed = new List<DateTimeOffset> { Cst(2026, 3, 7, 11) };
        AttemptPlanner.AfterFailure(Abandoned, dialed, Cst(2026, 3, 7, 11, 1), window).At.ShouldBe(Cst(2026, 3, 7, 11, 30));
        dialed.Add(Cst(2026, 3, 7, 19, 45));
        AttemptPlanner.AfterFailure(Abandoned, dialed, Cst(2026, 3, 7, 19, 46), window).At.ShouldBe(Cst(2026, 3, 8, 9)); // quiet hours
        dialed.Add(Cst(2026, 3, 8, 9));
        AttemptPlanner.AfterFailure(Abandoned, dialed, Cst(2026, 3, 8, 9, 1), window).Exhausted.ShouldBeTrue();
    }

    [Fact]
    public void CallMeLaterWaitsTheConfiguredDelayInsideTheWindow()
    {
        var window = Window(workingDaysOnly: true);
        AttemptPlanner.CallLater(Pickup, 1, Cst(2026, 3, 2, 10), window).At.ShouldBe(Cst(2026, 3, 2, 12));
        AttemptPlanner.CallLater(Pickup, 1, Cst(2026, 3, 6, 19), window).At.ShouldBe(Cst(2026, 3, 9, 9)); // Friday evening → Monday
        AttemptPlanner.CallLater(Pickup, 14, Cst(2026, 3, 2, 10), window).Exhausted.ShouldBeTrue();
    }
}
