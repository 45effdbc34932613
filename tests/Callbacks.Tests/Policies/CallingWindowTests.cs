using CallCenter.Callbacks.Policies;
using static CallCenter.Callbacks.Tests.Policies.WorkingCalendarTests;

namespace CallCenter.Callbacks.Tests.Policies;

public sealed class CallingWindowTests
{
    // Hotline hours of migration 0005: every day 08:00–20:00; calling hours 09:00–20:00 (§13 #18).
    internal static BusinessHours Hours { get; } = new(Enum.GetValues<DayOfWeek>().ToDictionary(d => d, _ => (new TimeOnly(8, 0), new TimeOnly(20, 0))));

    internal static CallingWindow Window(bool workingDaysOnly = true, string customerZone = "Asia/Shanghai", TimeOnly? prefStart = null, TimeOnly? prefEnd = null) =>
        new(Shanghai, Calendar2026, Hours, workingDaysOnly, TimeZoneInfo.FindSystemTimeZoneById(customerZone),
            new TimeOnly(9, 0), new TimeOnly(20, 0), prefStart, prefEnd);

    [Fact]
    public void QuietHoursMoveACallToNineTheNextMorning()
    {
        Window().NextCallable(Cst(2026, 3, 4, 21, 30)).ShouldBe(Cst(2026, 3, 5, 9));
        Window().NextCallable(Cst(2026, 3, 4, 8, 15)).ShouldBe(Cst(2026, 3, 4, 9));
    }

    [Fact]
    public void AnInstantInsideTheWindowIsCallableAsItIs()
    {
        Window().IsCallable(Cst(2026, 3, 4, 14, 7)).ShouldBeTrue();
        Window().IsCallable(Cst(2026, 3, 4, 20, 0)).ShouldBeFalse();
    }

    [Fact]
    public void WorkingDayPoliciesSkipWeekendsAndHolidaysButOthersDoNot()
    {
        // Saturday 2026-04-04 is 清明: next working day is Tuesday 04-07.
        Window().NextCallable(Cst(2026, 4, 3, 20, 30)).ShouldBe(Cst(2026, 4, 7, 9));
        Window(workingDaysOnly: false).NextCallable(Cst(2026, 4, 3, 20, 30)).ShouldBe(Cst(2026, 4, 4, 9));
    }

    [Fact]
    public void ATiaoxiuSaturdayIsAWorkingDayForCallbacks()
    {
        Window().NextCallable(Cst(2026, 2, 13, 20, 30)).ShouldBe(Cst(2026, 2, 14, 9));
    }

    [Fact]
    public void TheCustomersTimeZoneDecidesQuietHours()
    {
        // Tokyo is an hour ahead: 09:00 there is 08:00 in Shanghai, when the centre opens.
        Window(customerZone: "Asia/Tokyo").NextCallable(Cst(2026, 3, 4, 7, 0)).ShouldBe(Cst(2026, 3, 4, 8));
        // 19:30 in Shanghai is 20:30 in Tokyo: quiet there, so the next morning.
        Window(customerZone: "Asia/Tokyo").NextCallable(Cst(2026, 3, 4, 19, 30)).ShouldBe(Cst(2026, 3, 5, 8));
    }

    [Fact]
    public void ThePreferredWindowNarrowsTheDay()
    {
        var w = Window(prefStart: new TimeOnly(18, 0), prefEnd: new TimeOnly(19, 0));
        w.NextCallable(Cst(2026, 3, 4, 10)).ShouldBe(Cst(2026, 3, 4, 18));
        w.NextCallable(Cst(2026, 3, 4, 19, 0)).ShouldBe(Cst(2026, 3, 5, 18));
    }

    [Fact]
    public void APreferredWindowOutsideCallingHoursNeverRings()
    {
        Window(prefStart: new TimeOnly(22, 0), prefEnd: new TimeOnly(23, 0)).NextCallable(Cst(2026, 3, 4, 10)).ShouldBeNull();
    }
}
