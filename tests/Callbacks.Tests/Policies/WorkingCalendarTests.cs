using CallCenter.Callbacks.Policies;
using CallCenter.Callbacks.Requests;

namespace CallCenter.Callbacks.Tests.Policies;

public sealed class WorkingCalendarTests
{
    internal static readonly TimeZoneInfo Shanghai = TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");

    // The 2026 rows of migration 0005 that these tests touch (清明, 春节 and its 调休 Saturday).
    internal static WorkingCalendar Calendar2026 { get; } = new(
        [new(2026, 4, 4), new(2026, 4, 5), new(2026, 4, 6),
         .. Enumerable.Range(15, 9).Select(d => new DateOnly(2026, 2, d)),
         new(2026, 10, 1), new(2026, 10, 2), new(2026, 10, 3), new(2026, 10, 4), new(2026, 10, 5), new(2026, 10, 6), new(2026, 10, 7)],
        [new(2026, 2, 14), new(2026, 2, 28), new(2026, 10, 10)]);

    internal static DateTimeOffset Cst(int y, int m, int d, int h, int min = 0) => new(y, m, d, h, min, 0, TimeSpan.FromHours(8));

    [Fact]
    public void WeekendsAndHolidaysAreNotWorkingDaysButTiaoxiuSaturdaysAre()
    {
        Calendar2026.IsWorkingDay(new(2026, 3, 7)).ShouldBeFalse();   // Saturday
        Calendar2026.IsWorkingDay(new(2026, 4, 6)).ShouldBeFalse();   // Monday, 清明节
        Calendar2026.IsWorkingDay(new(2026, 2, 14)).ShouldBeTrue();   // Saturday, 春节调休
        Calendar2026.IsWorkingDay(new(2026, 4, 7)).ShouldBeTrue();
    }

    [Fact]
    public void AComplaintCreatedFridayAtFiveBeforeQingmingGetsItsDeadlinesOnTheCalendar()
    {
        // D-5: Friday 2026-04-03 17:00; 04-04..04-06 are public holidays.
        var first = new PolicySettings { DueHours = 24, WarnMinutesBefore = 120 };
        var result = new PolicySettings { DueWorkingDays = 3, WarnMinutesBefore = 240 };
        var d = ComplaintDeadlines.Compute(Cst(2026, 4, 3, 17), first, result, Calendar2026, Shanghai);

        d.FirstResponseDue.ShouldBe(Cst(2026, 4, 4, 17));            // +24 clock hours, even on a holiday
        d.FirstResponseWarn.ShouldBe(Cst(2026, 4, 4, 15));
        d.ResolutionDue.ShouldBe(Cst(2026, 4, 9, 17));               // Tue 7, Wed 8, Thu 9
        d.ResolutionWarn.ShouldBe(Cst(2026, 4, 9, 13));
    }

    [Fact]
    public void ThreeWorkingDaysCountATiaoxiuSaturdayAndSkipSpringFestival()
    {
        // Friday 2026-02-13 17:00: Sat 14 is a make-up workday, 15–23 are 春节, then Tue 24 and Wed 25.
        Calendar2026.AddWorkingDays(Cst(2026, 2, 13, 17), 3, Shanghai).ShouldBe(Cst(2026, 2, 25, 17));
    }

    [Fact]
    public void AComplaintCreatedOnASundayCountsFromMonday()
    {
        Calendar2026.AddWorkingDays(Cst(2026, 3, 8, 10), 3, Shanghai).ShouldBe(Cst(2026, 3, 11, 10));
    }
}
