using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.Telephony.Calls;
using CallCenter.TestSupport;
using Microsoft.AspNetCore.TestHost;

namespace CallCenter.Agent.Web.Tests.Hubs;

/// <summary>
/// The hub over a raw WebSocket with the SignalR JSON protocol. Call events are published on the bus by the
/// test, standing in for the softswitch (issues 3/4) until it publishes them itself.
/// </summary>
public sealed class ScreenPopHubTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    private async Task<HubTestClient> ConnectAsync(UserClient user, string? origin = null)
    {
        var ws = app.Factory.Server.CreateWebSocketClient();
        ws.ConfigureRequest = request =>
        {
            request.Headers.Cookie = user.CookieHeader;
            if (origin is not null)
            {
                request.Headers.Origin = origin;
            }
        };
        return await HubTestClient.ConnectAsync(ct => ws.ConnectAsync(new Uri(app.Factory.Server.BaseAddress, "hubs/agent"), ct), Timeout);
    }

    [PostgresFact]
    public async Task APopReachesAgentOnesConnectionAndNotAgentTwos()
    {
        using var agent1 = await app.LoginAsync("agent1");
        using var agent2 = await app.LoginAsync("agent2");
        await using var hub1 = await ConnectAsync(agent1);
        await using var hub2 = await ConnectAsync(agent2);
        var agent1Id = await app.AgentIdAsync("agent1");
        var agent2Id = await app.AgentIdAsync("agent2");
        var forAgent1 = Guid.NewGuid();
        var forAgent2 = Guid.NewGuid();

        app.Bus.Publish(new AgentRinging(forAgent1, DateTimeOffset.UtcNow, agent1Id, "13700137003", "8008101000", 1, "repairs"));
        // Events are handled in order: agent 2's first pop must be its own, never agent 1's.
        app.Bus.Publish(new AgentRinging(forAgent2, DateTimeOffset.UtcNow, agent2Id, "13900139002", "8008101000", 1, "repairs"));

        var pop1 = (await hub1.NextAsync("ScreenPop", Timeout)).Arguments[0];
        var pop2 = (await hub2.NextAsync("ScreenPop", Timeout)).Arguments[0];
        pop1.GetProperty("call").GetProperty("callId").GetGuid().ShouldBe(forAgent1);
        pop2.GetProperty("call").GetProperty("callId").GetGuid().ShouldBe(forAgent2);

        var customer = pop1.GetProperty("customer");
        customer.GetProperty("customer").GetProperty("name").GetString().ShouldBe("陈晓明");
        var product = customer.GetProperty("purchases")[0];
        product.GetProperty("model").GetString().ShouldBe("Reno 11");
        product.GetProperty("warranty").GetProperty("phase").GetString().ShouldBe("repair"); // sold 200 days ago: free repair
        customer.GetProperty("openRepairs")[0].GetProperty("readyForPickup").GetBoolean().ShouldBeTrue();
        pop1.GetProperty("lineNameZh").GetString().ShouldBe("维修服务");
    }

    [PostgresFact]
    public async Task APopMissedWhileDisconnectedIsRecoveredFromTheDatabaseAndFollowsTheCall()
    {
        var agentId = await app.AgentIdAsync("agent3");
        var callId = await app.RingAsync(agentId, "13800138001"); // nobody connected: the push goes nowhere
        using var agent = await app.LoginAsync("agent3");

        var current = await agent.Http.GetFromJsonAsync<JsonElement>("/api/desk/current");
        current.GetProperty("call").GetProperty("callId").GetGuid().ShouldBe(callId);
        current.GetProperty("customer").GetProperty("customer").GetProperty("vipTier").GetString().ShouldBe("gold");

        await using var hub = await ConnectAsync(agent);
        app.Bus.Publish(new CallAnswered(callId, DateTimeOffset.UtcNow, agentId));
        var answered = (await hub.NextAsync("CallState", Timeout)).Arguments[0];
        answered.GetProperty("state").GetString().ShouldBe("connected");
        app.Bus.Publish(new CallEnded(callId, DateTimeOffset.UtcNow, "completed", "caller", null));
        var ended = (await hub.NextAsync("CallState", Timeout)).Arguments[0];
        ended.GetProperty("state").GetString().ShouldBe("ended");
    }

    [PostgresFact]
    public async Task AHubConnectionFromAForeignOriginIsRefusedAndAudited()
    {
        using var agent = await app.LoginAsync("agent1");

        await Should.ThrowAsync<Exception>(() => ConnectAsync(agent, origin: "http://evil.example"));

        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'hub_origin_rejected' AND target_id = 'http://evil.example'")).ShouldBe(1);
    }

    [PostgresFact]
    public async Task AnAnonymousHubConnectionIsRefused()
    {
        using var anonymous = await app.AnonymousAsync();

        await Should.ThrowAsync<Exception>(() => ConnectAsync(anonymous));
    }

    [PostgresFact]
    public async Task WatchingAnotherAgentsCallIsRefusedButASupervisorMayWatchIt()
    {
        var callId = await app.RingAsync(await app.AgentIdAsync("agent1"), "13700137003");
        using var agent2 = await app.LoginAsync("agent2");
        using var supervisor = await app.LoginAsync("supervisor");
        await using var hub2 = await ConnectAsync(agent2);
        await using var hubS = await ConnectAsync(supervisor);

        await Should.ThrowAsync<HubInvocationException>(() => hub2.InvokeAsync("WatchCall", [callId], Timeout));
        await hubS.InvokeAsync("WatchCall", [callId], Timeout);

        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'agent2' AND action = 'access_denied' AND target_id = $1", callId.ToString())).ShouldBe(1);
    }

    [PostgresFact]
    public async Task AMessageOverThirtyTwoKilobytesClosesTheConnection()
    {
        using var agent = await app.LoginAsync("agent1");
        await using var hub = await ConnectAsync(agent);

        await hub.SendRawAsync(JsonSerializer.Serialize(new { type = 1, invocationId = "x", target = "WatchCall", arguments = new[] { new string('a', 40_000) } }), Timeout);

        await Should.ThrowAsync<Exception>(() => hub.NextAsync("never", Timeout));
    }

    [PostgresFact]
    public async Task TranscriptLinesAndTabooHintsReachTheAgentAndAlertsReachSupervisors()
    {
        var agentId = await app.AgentIdAsync("agent2");
        var callId = await app.RingAsync(agentId, "13900139002");
        using var agent = await app.LoginAsync("agent2");
        using var supervisor = await app.LoginAsync("supervisor");
        await using var hubA = await ConnectAsync(agent);
        await using var hubS = await ConnectAsync(supervisor);

        // Stand-in for the transcription pipeline: it writes these rows; the relay pushes them.
        await ExecAsync("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, dialed_number, service_line_id, agent_id, node, state)
            VALUES ($1, 'inbound', 'test-' || $1::text, '13900139002', '8008101000', 1, $2, 'test', 'connected')
            """, callId, agentId);
        await ExecAsync("INSERT INTO screening_rules (code, kind, phrase, severity, replacement) VALUES ('T900', 'taboo', '这不归我管', 'H', '我帮您转给负责的同事')");
        await ExecAsync("INSERT INTO transcript_segments (call_id, speaker, seq, start_ms, end_ms, text) VALUES ($1, 'agent', 1, 1000, 2500, '这不归我管')", callId);
        await ExecAsync("""
            INSERT INTO screening_hits (call_id, segment_id, rule_id, rule_version, speaker, matched_text, match_mode)
            SELECT $1, s.id, r.id, 1, 'agent', '这不归我管', 'exact' FROM transcript_segments s, screening_rules r
             WHERE s.call_id = $1 AND r.code = 'T900'
            """, callId);

        var line = (await hubA.NextAsync("Transcript", Timeout)).Arguments[0];
        var hint = (await hubA.NextAsync("TabooHint", Timeout)).Arguments[0];
        var alert = (await hubS.NextAsync("Alert", Timeout)).Arguments[0];
        line.GetProperty("speaker").GetString().ShouldBe("agent");
        line.GetProperty("callId").GetGuid().ShouldBe(callId);
        hint.GetProperty("replacement").GetString().ShouldBe("我帮您转给负责的同事");
        alert.GetProperty("ruleCode").GetString().ShouldBe("T900");
    }

    private async Task ExecAsync(string sql, params object[] args)
    {
        await using var cmd = app.Db.CreateCommand(sql);
        foreach (var a in args)
        {
            cmd.Parameters.AddWithValue(a);
        }

        await cmd.ExecuteNonQueryAsync();
    }
}
