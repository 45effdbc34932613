using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Outbound;
using CallCenter.TestSupport;
using Microsoft.AspNetCore.TestHost;

namespace CallCenter.Agent.Web.Tests.Hubs;

/// <summary>
/// Agent-first callbacks: the test seeds a callback, its attempts and the outbound calls row exactly as the dialer
/// writes it before ringing, then publishes the dialer's two events (CallbackRinging, AgentRinging) on the bus.
/// </summary>
public sealed class CallbackPopTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    internal const string Destination = "13600136099"; // on no customer's record: the customer must come by id
    internal const string Reason = "明天下午三点前给您回电，告知维修进度";
    private const string LastNote = "客户未接，稍后再试";
    private static readonly DateTimeOffset DueAt = new(2026, 11, 27, 7, 0, 0, TimeSpan.Zero);

    private static CancellationToken Timeout => new CancellationTokenSource(TimeSpan.FromSeconds(30)).Token;

    [PostgresFact]
    public async Task TheAgentsPopAndTheDeskShowTheCallbackBeforeTheAgentAnswers()
    {
        var agentId = await app.AgentIdAsync("agent1");
        var customerId = await app.CountAsync("SELECT customer_id FROM customer_phones WHERE number = '13700137003' LIMIT 1");
        var (callbackId, attemptId, callId) = await SeedAsync(app, agentId, customerId);
        using var agent = await app.LoginAsync("agent1");
        var ws = app.Factory.Server.CreateWebSocketClient();
        ws.ConfigureRequest = request => request.Headers.Cookie = agent.CookieHeader;
        await using var hub = await HubTestClient.ConnectAsync(ct => ws.ConnectAsync(new Uri(app.Factory.Server.BaseAddress, "hubs/agent"), ct), Timeout);

        app.Bus.Publish(new CallbackRinging(callId, DateTimeOffset.UtcNow, callbackId, attemptId, "promise", customerId, "136****6099"));
        app.Bus.Publish(new AgentRinging(callId, DateTimeOffset.UtcNow, agentId, Destination, "8008101000", 0, "callbacks"));

        var pop = (await hub.NextAsync("ScreenPop", Timeout)).Arguments[0];
        ShouldCarryTheCallback(pop, callId, callbackId, attemptId, customerId);
        pop.GetProperty("call").GetProperty("state").GetString().ShouldBe("ringing");

        // A page that reconnects reads the same context from the desk row, not from the push it missed.
        var current = await agent.Http.GetFromJsonAsync<JsonElement>("/api/desk/current");
        ShouldCarryTheCallback(current, callId, callbackId, attemptId, customerId);
    }

    [PostgresFact]
    public async Task AnInboundPopCarriesNoCallback()
    {
        var agentId = await app.AgentIdAsync("agent2");
        await app.RingAsync(agentId, "13900139002");
        using var agent = await app.LoginAsync("agent2");

        var current = await agent.Http.GetFromJsonAsync<JsonElement>("/api/desk/current");

        current.GetProperty("callback").ValueKind.ShouldBe(JsonValueKind.Null);
        current.GetProperty("customer").ValueKind.ShouldBe(JsonValueKind.Object);
    }

    private static void ShouldCarryTheCallback(JsonElement pop, Guid callId, long callbackId, long attemptId, long customerId)
    {
        pop.GetProperty("call").GetProperty("callId").GetGuid().ShouldBe(callId);
        pop.GetProperty("call").GetProperty("customerId").GetInt64().ShouldBe(customerId);
        var callback = pop.GetProperty("callback");
        callback.GetProperty("callbackId").GetInt64().ShouldBe(callbackId);
        callback.GetProperty("attemptId").GetInt64().ShouldBe(attemptId);
        callback.GetProperty("kind").GetString().ShouldBe("promise");
        callback.GetProperty("kindNameZh").GetString().ShouldBe("承诺回电");
        callback.GetProperty("attemptNo").GetInt32().ShouldBe(2);
        callback.GetProperty("maxAttempts").GetInt32().ShouldBe(3);
        callback.GetProperty("reason").GetString().ShouldBe(Reason);
        callback.GetProperty("lastNote").GetString().ShouldBe(LastNote);
        callback.GetProperty("sourceType").GetString().ShouldBe("promise");
        callback.GetProperty("dueAt").GetDateTimeOffset().ShouldBe(DueAt);
        pop.GetProperty("customer").GetProperty("customer").GetProperty("name").GetString().ShouldBe("陈晓明");
    }

    /// <summary>A promise callback on its second attempt, and the outbound calls row of that attempt (also used by the browser test).</summary>
    internal static async Task<(long CallbackId, long AttemptId, Guid CallId)> SeedAsync(WebAppFixture app, int agentId, long customerId)
    {
        var source = "test-" + Guid.NewGuid().ToString("N");
        var callbackId = await app.CountAsync("""
            INSERT INTO callbacks (kind, source_type, source_id, customer_id, destination, due_at, owner_agent_id, promise_text, state, created_by)
            VALUES ('promise', 'promise', $1, $2, $3, $4, $5, $6, 'in_progress', 'test') RETURNING id
            """, source, customerId, Destination, DueAt, agentId, Reason);
        await app.CountAsync("""
            INSERT INTO callback_attempts (callback_id, attempt_no, state, not_before, outcome, notes)
            VALUES ($1, 1, 'done', now() - interval '1 hour', 'no_answer', $2) RETURNING id
            """, callbackId, LastNote);
        var attemptId = await app.CountAsync("""
            INSERT INTO callback_attempts (callback_id, attempt_no, state, not_before) VALUES ($1, 2, 'dialing', now()) RETURNING id
            """, callbackId);
        var callId = Guid.NewGuid();
        // The row OutboundCallStore.InsertAsync writes before the agent's phone rings.
        await app.CountAsync("""
            INSERT INTO calls (id, direction, sip_call_id, caller_number, dialed_number, callback_attempt_id, customer_id, node, state)
            VALUES ($1, 'outbound', 'cb-' || $1::text, '8008101000', $2, $3, $4, 'test', 'setup') RETURNING 1
            """, callId, Destination, attemptId, customerId);
        return (callbackId, attemptId, callId);
    }
}
