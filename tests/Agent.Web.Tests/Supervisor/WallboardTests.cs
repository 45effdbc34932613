using System.Net.Http.Json;
using System.Text.Json;
using System.Diagnostics.Metrics;
using CallCenter.Agent.Web.Supervisor;
using CallCenter.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace CallCenter.Agent.Web.Tests.Supervisor;

public sealed class WallboardTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [PostgresFact]
    public async Task QueueFiguresComeFromTodaysCalls()
    {
        await AwayFromChinaMidnightAsync();
        // Repairs line (id 1, 15 s target): two answered in 5 s and 10 s, one in 40 s, one abandoned after 60 s,
        // one abandoned after 2 s (short: not counted), one still waiting for about 40 s.
        await using (var cmd = app.Db.CreateCommand("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, service_line_id, node, state, queued_at,
                               agent_answered_at, ended_at, disposition)
            SELECT gen_random_uuid(), 'inbound', 'wb-' || n, '1390000000' || n, 1, 'test', v.state,
                   now() - interval '5 minutes' + v.offset_q, now() - interval '5 minutes' + v.offset_q + v.answer,
                   now() - interval '5 minutes' + v.offset_q + v.ended, v.disposition
              FROM (VALUES
                (1, 'ended',  interval '0', interval '5 s',  interval '60 s', 'completed'),
                (2, 'ended',  interval '0', interval '10 s', interval '60 s', 'completed'),
                (3, 'ended',  interval '0', interval '40 s', interval '90 s', 'completed'),
                (4, 'ended',  interval '0', NULL,            interval '60 s', 'abandoned'),
                (5, 'ended',  interval '0', NULL,            interval '2 s',  'abandoned'),
                (6, 'queued', interval '260 s', NULL,        NULL,            NULL)) v(n, state, offset_q, answer, ended, disposition)
            """))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        using var supervisor = await app.LoginAsync("supervisor");
        var board = await supervisor.Http.GetFromJsonAsync<JsonElement>("/api/wallboard");

        var repairs = board.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("code").GetString() == "repairs");
        repairs.GetProperty("waiting").GetInt32().ShouldBe(1);
        repairs.GetProperty("longestWaitSeconds").GetInt32().ShouldBeInRange(35, 120);
        repairs.GetProperty("offered").GetInt32().ShouldBe(4);
        repairs.GetProperty("answered").GetInt32().ShouldBe(3);
        repairs.GetProperty("serviceLevel").GetDouble().ShouldBe(0.5);
        repairs.GetProperty("answerRate").GetDouble().ShouldBe(0.75);
        repairs.GetProperty("answerRateGoal").GetDouble().ShouldBe(0.85);
        repairs.GetProperty("abandoned").GetInt32().ShouldBe(1);
        repairs.GetProperty("callbacksChosen").GetInt32().ShouldBe(0);
        repairs.GetProperty("averageWaitSeconds").GetDouble().ShouldBe(28.8); // (5 + 10 + 40 + 60) / 4, short abandon left out
        repairs.GetProperty("maxWaitSeconds").GetInt32().ShouldBe(60);
        repairs.GetProperty("answerRateGoalMet").GetBoolean().ShouldBeFalse();
        board.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("username").GetString()).ShouldBe(["agent1", "agent2", "agent3"]);
    }

    [PostgresFact]
    public async Task CallersWhoChoseACallbackCountAsOfferedButNotAnswered()
    {
        await AwayFromChinaMidnightAsync();
        // Enquiries line: answered in 8 s and 20 s, callback chosen after 200 s, abandoned after 30 s and after 3 s (short).
        await using (var cmd = app.Db.CreateCommand("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, service_line_id, node, state, queued_at,
                               agent_answered_at, ended_at, disposition, ended_by)
            SELECT gen_random_uuid(), 'inbound', 'wbq-' || n, '1370000000' || n, l.id, 'test', 'ended',
                   now() - interval '5 minutes', now() - interval '5 minutes' + v.answer,
                   now() - interval '5 minutes' + v.ended, v.disposition, v.ended_by
              FROM service_lines l, (VALUES
                (1, interval '8 s',  interval '100 s', 'completed', 'caller'),
                (2, interval '20 s', interval '100 s', 'completed', 'agent'),
                (3, NULL,            interval '200 s', 'callback_offered', 'system'),
                (4, NULL,            interval '30 s',  'abandoned', 'caller'),
                (5, NULL,            interval '3 s',   'abandoned', 'caller')) v(n, answer, ended, disposition, ended_by)
             WHERE l.code = 'enquiries';
            -- and one call that found the line closed (never queued): counted on its own, in no other figure
            INSERT INTO calls (id, direction, sip_call_id, caller_number, service_line_id, node, state, started_at, answered_at, ended_at,
                               disposition, ended_by)
            SELECT gen_random_uuid(), 'inbound', 'wbq-closed', '13700000009', l.id, 'test', 'ended', now() - interval '5 minutes',
                   now() - interval '5 minutes', now() - interval '290 s', 'closed', 'system'
              FROM service_lines l WHERE l.code = 'enquiries'
            """))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        using var supervisor = await app.LoginAsync("supervisor");
        var board = await supervisor.Http.GetFromJsonAsync<JsonElement>("/api/wallboard");

        var line = board.GetProperty("queues").EnumerateArray().Single(q => q.GetProperty("code").GetString() == "enquiries");
        line.GetProperty("waiting").GetInt32().ShouldBe(0);
        line.GetProperty("offered").GetInt32().ShouldBe(4);
        line.GetProperty("answered").GetInt32().ShouldBe(2);
        line.GetProperty("abandoned").GetInt32().ShouldBe(1);
        line.GetProperty("callbacksChosen").GetInt32().ShouldBe(1);
        line.GetProperty("serviceLevel").GetDouble().ShouldBe(0.25);
        line.GetProperty("answerRate").GetDouble().ShouldBe(0.5);
        line.GetProperty("averageWaitSeconds").GetDouble().ShouldBe(64.5); // (8 + 20 + 200 + 30) / 4
        line.GetProperty("maxWaitSeconds").GetInt32().ShouldBe(200);
        line.GetProperty("answerRateGoalMet").GetBoolean().ShouldBeFalse();
        line.GetProperty("closedCalls").GetInt32().ShouldBe(1);
    }

    [PostgresFact]
    public async Task TheGaugesReportTheWallboardFiguresPerLine()
    {
        await using (var cmd = app.Db.CreateCommand("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, service_line_id, node, state, queued_at)
            SELECT gen_random_uuid(), 'inbound', 'wbg-' || n, NULL, l.id, 'test', 'queued', now() - interval '20 s'
              FROM service_lines l, generate_series(1, 3) n WHERE l.code = 'complaints';
            INSERT INTO calls (id, direction, sip_call_id, caller_number, service_line_id, node, state, answered_at, ended_at, disposition, ended_by)
            SELECT gen_random_uuid(), 'inbound', 'wbg-closed', '13700000008', l.id, 'test', 'ended', now(), now(), 'closed', 'system'
              FROM service_lines l WHERE l.code = 'complaints'
            """))
        {
            await cmd.ExecuteNonQueryAsync();
        }

        using var meters = new ServiceCollection().AddMetrics().BuildServiceProvider();
        using var gauges = new ServiceLevelGauges(app.Db, meters.GetRequiredService<IMeterFactory>(), TimeProvider.System,
            NullLogger<ServiceLevelGauges>.Instance);
        var figures = new Dictionary<(string Gauge, string Line), double>();
        using var listener = new MeterListener();
        listener.InstrumentPublished = (instrument, l) =>
        {
            if (instrument.Meter.Name == ServiceLevelGauges.MeterName && instrument.Name is "callcenter.queue.waiting" or "callcenter.queue.closed_calls")
            {
                l.EnableMeasurementEvents(instrument);
            }
        };
        listener.SetMeasurementEventCallback<double>((instrument, value, tags, _) => figures[(instrument.Name, (string)tags[0].Value!)] = value);
        listener.Start();

        await gauges.RefreshAsync(CancellationToken.None);
        listener.RecordObservableInstruments();

        figures[("callcenter.queue.waiting", "complaints")].ShouldBe(3);
        figures[("callcenter.queue.closed_calls", "complaints")].ShouldBe(1);
    }

    /// <summary>
    /// The figures count "today" in China time and these tests' rows are up to 5 minutes old: in the first minutes
    /// after midnight there, wait until they would all fall on the same day.
    /// </summary>
    private static async Task AwayFromChinaMidnightAsync()
    {
        CallCenter.Telephony.CentreTime.TryZone("Asia/Shanghai", out var china).ShouldBeTrue();
        var sinceMidnight = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, china).TimeOfDay;
        if (sinceMidnight < TimeSpan.FromMinutes(6))
        {
            await Task.Delay(TimeSpan.FromMinutes(6) - sinceMidnight);
        }
    }
}
