using CallCenter.Agent.Web.Data;
using CallCenter.Agent.Web.Desk;
using CallCenter.TestSupport;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallCenter.Agent.Web.Tests.Desk;

public sealed class ComplaintDeadlineTests
{
    /// <summary>A fixed clock: the seam for time (fake, by design).</summary>
    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;

        public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.FindSystemTimeZoneById("Asia/Shanghai");
    }

    [PostgresFact]
    public async Task TheResultDeadlineSkipsTheNationalDayHolidayAndCountsTheMakeUpSaturday()
    {
        await using var db = await TestDatabase.CreateAsync();
        await new Migrator(db.DataSource, NullLogger<Migrator>.Instance).MigrateAsync(CancellationToken.None);
        await using (var seed = db.DataSource.CreateCommand("INSERT INTO customers (name) VALUES ('测试客户'); INSERT INTO agents (username, display_name) VALUES ('t1', '测试坐席')"))
        {
            await seed.ExecuteNonQueryAsync();
        }

        // 30 Sep 2026, 10:00 in Beijing: 1-7 Oct are holidays, Saturday 10 Oct is a 调休 workday (0005 calendar).
        var clock = new FixedClock(new DateTimeOffset(2026, 9, 30, 10, 0, 0, TimeSpan.FromHours(8)));
        var actions = new DeskActions(db.DataSource, clock);

        var ticket = await actions.CreateComplaintAsync(1, 1, "测试", "S3", "service", null, CancellationToken.None);

        await using var cmd = db.DataSource.CreateCommand("""
            SELECT (resolution_due_at AT TIME ZONE 'Asia/Shanghai')::date::text, (first_response_due_at AT TIME ZONE 'Asia/Shanghai')::text
              FROM complaints WHERE id = $1
            """);
        cmd.Parameters.AddWithValue(ticket.Id);
        await using var reader = await cmd.ExecuteReaderAsync();
        (await reader.ReadAsync()).ShouldBeTrue();
        reader.GetString(0).ShouldBe("2026-10-10"); // 8 Oct (Thu), 9 Oct (Fri), 10 Oct (make-up Saturday)
        reader.GetString(1).ShouldBe("2026-10-01 10:00:00"); // 24 h, clock time
        ticket.Number.ShouldStartWith("TS20260930");
    }
}
