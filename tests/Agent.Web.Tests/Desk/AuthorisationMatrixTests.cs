using System.Net;
using System.Net.Http.Json;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Desk;

/// <summary>Who may read and change what (reliability.md §4 roles table; test matrix I-13, I-14).</summary>
public sealed class AuthorisationMatrixTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [PostgresFact]
    public async Task AnAgentCannotOpenAnotherAgentsCallAndTheRefusalIsAudited()
    {
        var callId = await app.RingAsync(await app.AgentIdAsync("agent1"), "13700137003");
        using var agent1 = await app.LoginAsync("agent1");
        using var agent2 = await app.LoginAsync("agent2");
        using var supervisor = await app.LoginAsync("supervisor");
        using var admin = await app.LoginAsync("admin");

        (await agent1.Http.GetAsync($"/api/calls/{callId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await agent2.Http.GetAsync($"/api/calls/{callId}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await supervisor.Http.GetAsync($"/api/calls/{callId}")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.Http.GetAsync($"/api/calls/{callId}")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);

        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'agent2' AND action = 'access_denied' AND target_id LIKE '%' || $1 || '%'",
            callId.ToString())).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'agent1' AND action = 'transcript_view' AND target_id = $1",
            callId.ToString())).ShouldBe(1);
    }

    [PostgresFact]
    public async Task AnAgentCannotActOnAnotherAgentsCall()
    {
        var callId = await app.RingAsync(await app.AgentIdAsync("agent1"), "13800138001");
        using var agent2 = await app.LoginAsync("agent2");

        var flag = await agent2.Http.PostAsJsonAsync($"/api/desk/calls/{callId}/flag", new { reason = "test", expiresInDays = 1 });
        var wrap = await agent2.Http.PostAsJsonAsync($"/api/desk/calls/{callId}/wrap-up", new { code = "resolved" });

        flag.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        wrap.StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await app.CountAsync("SELECT count(*) FROM blocking_rules WHERE kind = 'flagged'")).ShouldBe(0);
    }

    [PostgresFact]
    public async Task PagesAndApisAreLimitedToTheirRoles()
    {
        using var agent = await app.LoginAsync("agent2");
        using var supervisor = await app.LoginAsync("supervisor");
        using var admin = await app.LoginAsync("admin");

        (await agent.Http.GetAsync("/api/wallboard")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.Http.GetAsync("/supervisor")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.Http.GetAsync("/api/admin/blocking-rules")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent.Http.GetAsync("/api/customers/1")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await supervisor.Http.GetAsync("/api/wallboard")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await supervisor.Http.GetAsync("/api/admin/blocking-rules")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await supervisor.Http.GetAsync("/api/admin/agents")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await supervisor.Http.GetAsync("/api/desk/current")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await admin.Http.GetAsync("/api/admin/agents")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await admin.Http.GetAsync("/admin")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'agent2' AND action = 'access_denied'")).ShouldBeGreaterThanOrEqualTo(4);
    }

    [PostgresFact]
    public async Task AnAgentReadsOnlyTheCustomerOnTheirCurrentCall()
    {
        await app.RingAsync(await app.AgentIdAsync("agent2"), "13900139002");
        using var agent2 = await app.LoginAsync("agent2");

        (await agent2.Http.GetAsync("/api/customers/2")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await agent2.Http.GetAsync("/api/customers/1")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
        (await agent2.Http.GetAsync("/api/customers?phone=13900139002")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await agent2.Http.GetAsync("/api/customers?phone=13800138001")).StatusCode.ShouldBe(HttpStatusCode.Forbidden);
    }

    [PostgresFact]
    public async Task AStateChangeWithoutTheAntiforgeryHeaderIsA400()
    {
        using var agent = await app.LoginAsync("agent1");
        agent.Http.DefaultRequestHeaders.Remove("X-XSRF-TOKEN");

        var response = await agent.Http.PostAsJsonAsync("/api/desk/state", new { state = "available" });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'agent1' AND action = 'csrf_rejected'")).ShouldBe(1);
    }
}
