using System.Net;
using System.Net.Http.Json;
using CallCenter.Agent.Web.Hubs;
using CallCenter.Telephony.Calls;
using CallCenter.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Npgsql;

namespace CallCenter.Agent.Web.Tests;

/// <summary>
/// The real host (Program) on a fresh database with the demo data set (agent1..3, supervisor, qa1, admin,
/// password demo-1234). SIP and the callback scheduler are off: call events are published on the bus by the
/// tests themselves, standing in for the softswitch (SipHostFixture turns SIP on for real calls).
/// </summary>
public class WebAppFixture : IAsyncLifetime
{
    public const string Password = "demo-1234";

    private TestDatabase? _db;

    public WebApplicationFactory<Program> Factory { get; private set; } = null!;

    public NpgsqlDataSource Db => _db!.DataSource;

    public string ConnectionString => _db!.ConnectionString;

    /// <summary>A private recordings folder per fixture (Telephony:RecordingsPath).</summary>
    public string RecordingsPath { get; } = Path.Combine(Path.GetTempPath(), "cc-rec-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>Kestrel on a real loopback port (for Chromium) instead of the in-memory TestServer.</summary>
    protected virtual bool UseKestrel => false;

    public Uri BaseAddress { get; private set; } = new("http://localhost");

    /// <summary>Settings and services of a derived fixture, applied after the defaults above.</summary>
    protected virtual void Configure(IWebHostBuilder builder)
    {
    }

    public CallEventBus Bus => Factory.Services.GetRequiredService<CallEventBus>();

    public async Task InitializeAsync()
    {
        if (TestDatabase.ServerConnectionString is null)
        {
            return; // [PostgresFact] skips the tests themselves
        }

        _db = await TestDatabase.CreateAsync();
        Factory = new WebApplicationFactory<Program>().WithWebHostBuilder(b =>
        {
            b.UseEnvironment("Testing");
            b.UseSetting("ConnectionStrings:CallCenter", _db.ConnectionString);
            b.UseSetting("Database:SeedDemoData", "true");
            b.UseSetting("Database:DemoPassword", Password);
            b.UseSetting("Telephony:Sip:Enabled", "false");
            b.UseSetting("Callbacks:Enabled", "false");
            b.UseSetting("Logs:Directory", "");
            b.UseSetting("Web:MaxFailedLogins", "3");
            b.UseSetting("Web:TranscriptPollMilliseconds", "100");
            b.UseSetting("Telephony:RecordingsPath", RecordingsPath);
            b.UseSetting("Urls", "http://127.0.0.1:0"); // never appsettings' 5000: parallel test classes and other services use it
            Configure(b);
        });
        if (UseKestrel)
        {
            Factory.UseKestrel(0);
            Factory.StartServer();
            BaseAddress = new Uri(Factory.ClientOptions.BaseAddress.GetLeftPart(UriPartial.Authority));
        }
        else
        {
            _ = Factory.Server;
        }

        var publisher = Factory.Services.GetServices<IHostedService>().OfType<ScreenPopPublisher>().Single();
        await publisher.Subscribed.WaitAsync(TimeSpan.FromSeconds(30));
    }

    public async Task DisposeAsync()
    {
        if (_db is null)
        {
            return;
        }

        await Factory.DisposeAsync();
        await _db.DisposeAsync();
        if (Directory.Exists(RecordingsPath))
        {
            Directory.Delete(RecordingsPath, recursive: true);
        }
    }

    /// <summary>A client with its own cookie jar, not logged in; unsafe requests carry a valid antiforgery token.</summary>
    public async Task<UserClient> AnonymousAsync()
    {
        var cookies = new CookieContainer();
        var http = UseKestrel
            ? new HttpClient(new CookieContainerHandler(cookies) { InnerHandler = new HttpClientHandler() }) { BaseAddress = BaseAddress }
            : Factory.CreateDefaultClient(new CookieContainerHandler(cookies));
        var client = new UserClient(http, cookies);
        await client.RefreshTokenAsync();
        return client;
    }

    public async Task<UserClient> LoginAsync(string username)
    {
        var client = await AnonymousAsync();
        var response = await client.Http.PostAsJsonAsync("/api/auth/login", new { username, password = Password });
        response.StatusCode.ShouldBe(HttpStatusCode.OK, $"login of {username}");
        await client.RefreshTokenAsync(); // tokens are bound to the user
        return client;
    }

    public async Task<int> AgentIdAsync(string username)
    {
        await using var cmd = Db.CreateCommand("SELECT id FROM agents WHERE username = $1");
        cmd.Parameters.AddWithValue(username);
        return (int)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task<long> CountAsync(string sql, params object[] args)
    {
        await using var cmd = Db.CreateCommand(sql);
        foreach (var a in args)
        {
            cmd.Parameters.AddWithValue(a);
        }

        return Convert.ToInt64(await cmd.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Publishes an AgentRinging on line 8008101000 (repairs) and waits until the desk row exists.</summary>
    public async Task<Guid> RingAsync(int agentId, string? caller)
    {
        var callId = Guid.NewGuid();
        Bus.Publish(new AgentRinging(callId, DateTimeOffset.UtcNow, agentId, caller, "8008101000", 1, "repairs"));
        for (var i = 0; i < 200 && await CountAsync("SELECT count(*) FROM agent_desk_calls WHERE call_id = $1", callId) == 0; i++)
        {
            await Task.Delay(50);
        }

        return callId;
    }
}

public sealed class KestrelWebAppFixture : WebAppFixture
{
    protected override bool UseKestrel => true;
}

public sealed class UserClient(HttpClient http, CookieContainer cookies) : IDisposable
{
    public HttpClient Http { get; } = http;

    public CookieContainer Cookies { get; } = cookies;

    public string CookieHeader => Cookies.GetCookieHeader(Http.BaseAddress!);

    public async Task RefreshTokenAsync()
    {
        var token = await Http.GetFromJsonAsync<TokenResponse>("/api/auth/antiforgery");
        Http.DefaultRequestHeaders.Remove("X-XSRF-TOKEN");
        Http.DefaultRequestHeaders.Add("X-XSRF-TOKEN", token!.Token);
    }

    public void Dispose() => Http.Dispose();

    private sealed record TokenResponse(string Token);
}
