using System.Net;
using System.Net.Http.Json;
using CallCenter.TestSupport;

namespace CallCenter.Agent.Web.Tests.Auth;

public sealed class LoginTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [PostgresFact]
    public async Task ADemoAgentLogsInAndTheLoginIsAudited()
    {
        using var agent = await app.LoginAsync("agent1");

        var me = await agent.Http.GetFromJsonAsync<MeResponse>("/api/auth/me");

        me!.Username.ShouldBe("agent1");
        me.Roles.ShouldBe(["agent"]);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'agent1' AND action = 'login'")).ShouldBeGreaterThan(0);
    }

    [PostgresFact]
    public async Task RepeatedWrongPasswordsLockTheAccountAndEvenTheRightPasswordIsThenRefused()
    {
        using var client = await app.AnonymousAsync();
        for (var i = 0; i < 3; i++)
        {
            var wrong = await client.Http.PostAsJsonAsync("/api/auth/login", new { username = "agent3", password = "wrong-" + i });
            wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        }

        var right = await client.Http.PostAsJsonAsync("/api/auth/login", new { username = "agent3", password = WebAppFixture.Password });

        right.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await app.CountAsync("SELECT count(*) FROM agents WHERE username = 'agent3' AND locked_until > now()")).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE target_id = 'agent3' AND action = 'login_failed'")).ShouldBe(2);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE target_id = 'agent3' AND action = 'account_locked'")).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE target_id = 'agent3' AND action = 'login_refused_locked'")).ShouldBe(1);
    }

    [PostgresFact]
    public async Task AnUnknownUserGetsTheSame401AsAWrongPassword()
    {
        using var client = await app.AnonymousAsync();

        var unknown = await client.Http.PostAsJsonAsync("/api/auth/login", new { username = "nobody", password = "x" });
        var wrong = await client.Http.PostAsJsonAsync("/api/auth/login", new { username = "qa1", password = "x" });

        unknown.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        wrong.StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var a = await unknown.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var b = await wrong.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        a.GetProperty("title").GetString().ShouldBe(b.GetProperty("title").GetString());
        unknown.Headers.Select(h => h.Key).Order().ShouldBe(wrong.Headers.Select(h => h.Key).Order());
    }

    [PostgresFact]
    public async Task ALoginWithoutAnAntiforgeryTokenIsA400AndAudited()
    {
        using var client = await app.AnonymousAsync();
        client.Http.DefaultRequestHeaders.Remove("X-XSRF-TOKEN");

        var response = await client.Http.PostAsJsonAsync("/api/auth/login", new { username = "agent2", password = WebAppFixture.Password });

        response.StatusCode.ShouldBe(HttpStatusCode.BadRequest);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE action = 'csrf_rejected'")).ShouldBeGreaterThan(0);
    }

    [PostgresFact]
    public async Task AnonymousApiCallsGet401AndAnonymousPagesRedirectToTheLoginPage()
    {
        using var client = await app.AnonymousAsync();

        (await client.Http.GetAsync("/api/desk/current")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.Http.GetAsync("/api/wallboard")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        (await client.Http.GetAsync("/api/customers/1")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
        var page = await client.Http.GetAsync("/agent");
        page.StatusCode.ShouldBe(HttpStatusCode.Redirect);
        page.Headers.Location!.ToString().ShouldContain("/login");
        (await client.Http.GetAsync("/login")).StatusCode.ShouldBe(HttpStatusCode.OK);
        (await client.Http.GetAsync("/healthz")).StatusCode.ShouldBe(HttpStatusCode.OK);
    }

    [PostgresFact]
    public async Task LogoutEndsTheSession()
    {
        using var agent = await app.LoginAsync("agent2");

        (await agent.Http.PostAsync("/api/auth/logout", null)).StatusCode.ShouldBe(HttpStatusCode.NoContent);

        (await agent.Http.GetAsync("/api/auth/me")).StatusCode.ShouldBe(HttpStatusCode.Unauthorized);
    }

    private sealed record MeResponse(int Id, string Username, string DisplayName, string? EmployeeNo, string[] Roles);
}
