using CallCenter.Telephony.Routing;
using CallCenter.Telephony.Tests.Calls;
using CallCenter.TestSupport;
using Microsoft.Extensions.Options;

namespace CallCenter.Telephony.Tests.Routing;

/// <summary>The open/closed rule of a line with business hours of its own (LineHours.IsOpen).</summary>
public sealed class LineHoursTests
{
    // Monday–Friday 09:00–18:00, Saturday 10:00–16:00, no Sunday row.
    private static readonly LineOpening[] Week =
    [
        .. Enumerable.Range(1, 5).Select(d => new LineOpening(d, new TimeOnly(9, 0), new TimeOnly(18, 0))),
        new LineOpening(6, new TimeOnly(10, 0), new TimeOnly(16, 0)),
    ];

    [Theory]
    [InlineData("2026-11-23 09:00", true)]  // Monday, the opening minute
    [InlineData("2026-11-23 17:59", true)]
    [InlineData("2026-11-23 18:00", false)] // closes is exclusive
    [InlineData("2026-11-23 08:59", false)]
    [InlineData("2026-11-28 12:00", true)]  // Saturday's own hours
    [InlineData("2026-11-28 09:30", false)]
    [InlineData("2026-11-29 12:00", false)] // Sunday has no row
    public void AnOrdinaryDayIsOpenOnlyInsideThatWeekdaysHours(string local, bool open) =>
        LineHours.IsOpen(Week, null, At(local)).ShouldBe(open);

    [Fact]
    public void ADayClosingAt2359IsOpenUntilMidnight()
    {
        LineOpening[] late = [new(1, new TimeOnly(8, 0), new TimeOnly(23, 59))];
        LineHours.IsOpen(late, null, At("2026-11-23 23:59").AddSeconds(30)).ShouldBeTrue("the admin page's time input cannot say 24:00");
        LineHours.IsOpen(late, null, At("2026-11-23 07:59")).ShouldBeFalse();
    }

    [Fact]
    public void APublicHolidayClosesTheLineAllDay() =>
        LineHours.IsOpen(Week, "holiday", At("2026-10-01 10:00")).ShouldBeFalse();

    [Fact]
    public void AMakeUpWorkdayOnAWeekdayWithoutHoursOpensWithMondaysHours()
    {
        LineHours.IsOpen(Week, "workday", At("2026-09-20 09:30")).ShouldBeTrue("a 调休 Sunday opens 09:00–18:00 like Monday");
        LineHours.IsOpen(Week, "workday", At("2026-09-20 18:30")).ShouldBeFalse();
        LineHours.IsOpen(Week, "workday", At("2026-10-10 09:30")).ShouldBeFalse("a 调休 Saturday keeps Saturday's own 10:00–16:00");
    }

    [Fact]
    public void ShanghaiIsKnownAndAnUnknownZoneIsRefusedByName()
    {
        LineHours.Zone("Asia/Shanghai").GetUtcOffset(new DateTime(2026, 7, 1, 0, 0, 0, DateTimeKind.Utc)).ShouldBe(TimeSpan.FromHours(8));
        Should.Throw<InvalidOperationException>(() => LineHours.Zone("Mars/Olympus")).Message.ShouldContain("Mars/Olympus");
    }

    [PostgresFact]
    public async Task TheHostRefusesToStartWithAnUnknownTimeZone()
    {
        await using var db = await TestDatabase.CreateAsync();
        using var host = SoftswitchFixture.BuildHost(db.DataSource, TestPorts.Free(), "tz-test", Path.GetTempPath(),
            settings: new Dictionary<string, string?> { ["Telephony:Calls:TimeZone"] = "Mars/Olympus" });

        var ex = await Should.ThrowAsync<OptionsValidationException>(() => host.StartAsync());

        ex.Message.ShouldContain("Telephony:Calls:TimeZone");
    }

    private static DateTime At(string local) =>
        DateTime.ParseExact(local, "yyyy-MM-dd HH:mm", System.Globalization.CultureInfo.InvariantCulture);
}
