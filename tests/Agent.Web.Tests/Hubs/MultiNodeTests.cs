using CallCenter.Agent.Web.Hubs;
using CallCenter.Telephony.Calls;
using CallCenter.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using System.Net;
using System.Net.Http.Json;

namespace CallCenter.Agent.Web.Tests.Hubs;

/// <summary>Two hosts on one database: the phone rings on node A, the agent's browser is connected to node B.</summary>
public sealed class MultiNodeTests(WebAppFixture app) : IClassFixture<WebAppFixture>
{
    [PostgresFact]
    public async Task APopRaisedOnOneNodeReachesTheAgentConnectedToAnother()
    {
        await using var nodeB = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseSetting("ConnectionStrings:CallCenter", app.ConnectionString);
            b.UseSetting("Telephony:Sip:Enabled", "false");
            b.UseSetting("Callbacks:Enabled", "false");
            b.UseSetting("Logs:Directory", "");
            b.UseSetting("Urls", "http://127.0.0.1:0"); // never appsettings' 5000
        });
        var fanOutB = nodeB.Services.GetServices<IHostedService>().OfType<NodeFanOut>().Single();
        await fanOutB.Listening.WaitAsync(TimeSpan.FromSeconds(30));

        // agent1 logs in and connects through node B only; node A never sees this browser.
        var cookies = new CookieContainer();
        using var http = nodeB.CreateDefaultClient(new CookieContainerHandler(cookies));
        using var user = new UserClient(http, cookies);
        await user.RefreshTokenAsync();
        (await http.PostAsJsonAsync("/api/auth/login", new { username = "agent1", password = WebAppFixture.Password })).EnsureSuccessStatusCode();
        var ws = nodeB.Server.CreateWebSocketClient();
        ws.ConfigureRequest = r => r.Headers.Cookie = user.CookieHeader;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await using var hub = await HubTestClient.ConnectAsync(ct => ws.ConnectAsync(new Uri(nodeB.Server.BaseAddress, "hubs/agent"), ct), timeout.Token);

        var callId = Guid.NewGuid();
        app.Bus.Publish(new AgentRinging(callId, DateTimeOffset.UtcNow, await app.AgentIdAsync("agent1"), "13700137003", "8008101000", 1, "repairs"));

        var pop = (await hub.NextAsync("ScreenPop", timeout.Token)).Arguments[0];
        pop.GetProperty("call").GetProperty("callId").GetGuid().ShouldBe(callId);
        pop.GetProperty("customer").GetProperty("customer").GetProperty("name").GetString().ShouldBe("陈晓明");
    }
}
