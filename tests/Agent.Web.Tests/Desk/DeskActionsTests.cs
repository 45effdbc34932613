using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Desk;

/// <summary>What an agent does on a call lands in the real tables, keyed to the call's customer.</summary>
public sealed class DeskActionsTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [PostgresFact]
    public async Task TheStateButtonsPersistTheStateAndItsHistory()
    {
        using var agent = await app.LoginAsync("agent1");

        (await agent.Http.PostAsJsonAsync("/api/desk/state", new { state = "available" })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await agent.Http.PostAsJsonAsync("/api/desk/state", new { state = "break" })).StatusCode.ShouldBe(HttpStatusCode.NoContent);
        (await agent.Http.PostAsJsonAsync("/api/desk/state", new { state = "dancing" })).StatusCode.ShouldBe(HttpStatusCode.BadRequest);

        (await app.CountAsync("SELECT count(*) FROM agents WHERE username = 'agent1' AND state = 'break'")).ShouldBe(1);
        (await app.CountAsync("""
            SELECT count(*) FROM agent_state_changes s JOIN agents a ON a.id = s.agent_id
             WHERE a.username = 'agent1' AND s.state IN ('available','break')
            """)).ShouldBe(2);
    }

    [PostgresFact]
    public async Task TheAgentCreatesTicketsSchedulesACallbackFlagsTheCallerAndWrapsUp()
    {
        var callId = await app.RingAsync(await app.AgentIdAsync("agent2"), "13600136004");
        using var agent = await app.LoginAsync("agent2");
        var path = $"/api/desk/calls/{callId}";

        var repair = await agent.Http.PostAsJsonAsync(path + "/repairs", new { purchaseId = 5, faultDescription = "屏幕闪烁" });
        var complaint = await agent.Http.PostAsJsonAsync(path + "/complaints", new { summary = "维修太慢", severity = "S2" });
        var callback = await agent.Http.PostAsJsonAsync(path + "/callbacks", new { dueAt = DateTimeOffset.UtcNow.AddHours(2), note = "客户下午有空" });
        var premium = await agent.Http.PostAsJsonAsync(path + "/callbacks", new { dueAt = DateTimeOffset.UtcNow.AddHours(2), destination = "0090012345" });
        var flag = await agent.Http.PostAsJsonAsync(path + "/flag", new { reason = "辱骂坐席", expiresInDays = 7 });
        var wrap = await agent.Http.PostAsJsonAsync(path + "/wrap-up", new { code = "complaint_created" });

        repair.StatusCode.ShouldBe(HttpStatusCode.OK);
        complaint.StatusCode.ShouldBe(HttpStatusCode.OK);
        callback.StatusCode.ShouldBe(HttpStatusCode.OK);
        premium.StatusCode.ShouldBe(HttpStatusCode.BadRequest); // not the caller's or the customer's number
        flag.StatusCode.ShouldBe(HttpStatusCode.OK);
        wrap.StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.CountAsync("SELECT count(*) FROM repair_orders WHERE customer_id = 4 AND purchase_id = 5 AND fault_description = '屏幕闪烁'")).ShouldBe(1);
        (await app.CountAsync("""
            SELECT count(*) FROM complaints WHERE customer_id = 4 AND severity = 'S2'
               AND first_response_due_at > now() + interval '23 hours' AND resolution_due_at > now() + interval '2 days'
            """)).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM callbacks WHERE source_type = 'manual' AND kind = 'manual' AND destination = '13600136004' AND customer_id = 4")).ShouldBe(1);
        (await app.CountAsync("""
            SELECT count(*) FROM blocking_rules WHERE kind = 'flagged' AND number = '13600136004' AND reason = '辱骂坐席'
               AND created_by = 'agent2' AND expires_at BETWEEN now() + interval '6 days' AND now() + interval '8 days'
            """)).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM agent_desk_calls WHERE call_id = $1 AND wrap_up_code = 'complaint_created' AND closed_at IS NOT NULL", callId)).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'agent2' AND action IN ('repair_order_created','complaint_created','callback_scheduled','caller_flagged')")).ShouldBe(4);
        (await agent.Http.GetAsync("/api/desk/current")).StatusCode.ShouldBe(HttpStatusCode.NoContent);
    }

    [PostgresFact]
    public async Task AnUnknownCallerGetsAQuickCreatedCustomerLinkedToTheCall()
    {
        var callId = await app.RingAsync(await app.AgentIdAsync("agent3"), "13512345678");
        using var agent = await app.LoginAsync("agent3");
        var before = await agent.Http.GetFromJsonAsync<JsonElement>("/api/desk/current");
        before.GetProperty("customer").ValueKind.ShouldBe(JsonValueKind.Null);

        var created = await agent.Http.PostAsJsonAsync($"/api/desk/calls/{callId}/customer", new { name = "周杰", surname = "周", honorific = "先生" });

        created.StatusCode.ShouldBe(HttpStatusCode.OK);
        var pop = await created.Content.ReadFromJsonAsync<JsonElement>();
        pop.GetProperty("customer").GetProperty("customer").GetProperty("name").GetString().ShouldBe("周杰");
        (await app.CountAsync("SELECT count(*) FROM customer_phones WHERE number = '13512345678'")).ShouldBe(1);
    }
}
