using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Supervisor;

public sealed class WallboardTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [PostgresFact]
    public async Task QueueFiguresComeFromTodaysCalls()
    {
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
        board.GetProperty("agents").EnumerateArray().Select(a => a.GetProperty("username").GetString()).ShouldBe(["agent1", "agent2", "agent3"]);
    }
}
