using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.WebSockets;
using System.Text;
using CallCenter.Agent.Web.Hubs;
using CallCenter.Telephony.Calls;
using CallCenter.TestSupport;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Playwright;

namespace CallCenter.Bench;

internal static class ScreenPopBenchmark
{
    public static async Task<int> Main(string[] args)
    {
        // Screen-pop latency: AgentRinging published on the bus (where the softswitch will publish it once it routes
        // calls to agents) -> ScreenPop frame at that agent's hub connection, with N agents connected; and -> the pop
        // painted in headless Chromium. Usage: ScreenPopBench [agents=200] [hubRounds=200] [browserRounds=40]
        var agents = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 200;
        var hubRounds = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 200;
        var browserRounds = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 40;
        const string Password = "bench-1234";

        // The factory only finds the host's folder (wwwroot) by itself from test projects.
        Environment.SetEnvironmentVariable("ASPNETCORE_TEST_CONTENTROOT_CALLCENTER_AGENT_WEB", ContentRoot());
        await using var db = await TestDatabase.CreateAsync();
        await using var factory = new WebApplicationFactory<global::Program>().WithWebHostBuilder(b =>
        {
            b.UseSetting("ConnectionStrings:CallCenter", db.ConnectionString);
            b.UseSetting("Database:SeedDemoData", "true");
            b.UseSetting("Database:DemoPassword", Password);
            b.UseSetting("Telephony:Sip:Enabled", "false");
            b.UseSetting("Callbacks:Enabled", "false");
            b.UseSetting("Logs:Directory", "");
        });
        factory.UseKestrel(0);
        factory.StartServer();
        var baseUri = new Uri(factory.ClientOptions.BaseAddress.GetLeftPart(UriPartial.Authority));
        var bus = (CallEventBus)factory.Services.GetService(typeof(CallEventBus))!;
        var publisher = ((IEnumerable<Microsoft.Extensions.Hosting.IHostedService>)factory.Services
            .GetService(typeof(IEnumerable<Microsoft.Extensions.Hosting.IHostedService>))!).OfType<ScreenPopPublisher>().Single();
        await publisher.Subscribed;

        // N bench agents share one password hash (the hasher salts per hash, not per user).
        var hash = new PasswordHasher<string>().HashPassword("bench", Password);
        await using (var cmd = db.DataSource.CreateCommand("""
            INSERT INTO agents (username, display_name, roles, password_hash)
            SELECT 'bench' || lpad(n::text, 4, '0'), '压测' || n, '{agent}', $1 FROM generate_series(1, $2) n
            """))
        {
            cmd.Parameters.AddWithValue(hash);
            cmd.Parameters.AddWithValue(agents);
            await cmd.ExecuteNonQueryAsync();
        }

        Console.WriteLine($"connecting {agents} agents ...");
        var clients = new List<(int AgentId, RawHubClient Client)>();
        for (var i = 1; i <= agents; i++)
        {
            var name = "bench" + i.ToString("D4", CultureInfo.InvariantCulture);
            var cookies = await LoginAsync(baseUri, name, Password);
            var client = await RawHubClient.ConnectAsync(new Uri($"ws://{baseUri.Authority}/hubs/agent"), cookies);
            await using var idCmd = db.DataSource.CreateCommand("SELECT id FROM agents WHERE username = $1");
            idCmd.Parameters.AddWithValue(name);
            clients.Add(((int)(await idCmd.ExecuteScalarAsync())!, client));
        }

        // Warm-up, then sequential rounds to a rotating agent: publish -> that agent's ScreenPop frame.
        var hubMs = new List<double>();
        for (var round = -10; round < hubRounds; round++)
        {
            var (agentId, client) = clients[(round + 10) % clients.Count];
            var callId = Guid.NewGuid();
            var started = Stopwatch.GetTimestamp();
            bus.Publish(new AgentRinging(callId, DateTimeOffset.UtcNow, agentId, "13700137003", "8008101000", 1, "repairs"));
            await client.WaitForAsync(callId.ToString(), TimeSpan.FromSeconds(30));
            if (round >= 0)
            {
                hubMs.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }

        // Browser: agent1 logged in through the page; time from publish to the frame after the pop entered the DOM.
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = "/usr/bin/chromium", Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"],
        });
        var page = await (await browser.NewContextAsync(new() { BaseURL = baseUri.ToString() })).NewPageAsync();
        await page.GotoAsync("/login");
        await page.FillAsync("#username", "agent1");
        await page.FillAsync("#password", Password);
        await page.ClickAsync("#submit");
        await page.Locator("body[data-hub=connected]").WaitForAsync();
        await page.EvaluateAsync("""
            () => { window.__seen = {}; new MutationObserver(() => { const p = document.getElementById('pop');
              if (p && !window.__seen[p.dataset.callId]) { const id = p.dataset.callId; window.__seen[id] = -1;
                requestAnimationFrame(() => { window.__seen[id] = performance.timeOrigin + performance.now(); }); } })
              .observe(document.body, { subtree: true, childList: true }); }
            """);
        await using (var idCmd = db.DataSource.CreateCommand("SELECT id FROM agents WHERE username = 'agent1'"))
        {
            var agent1 = (int)(await idCmd.ExecuteScalarAsync())!;
            var browserMs = new List<double>();
            for (var round = -5; round < browserRounds; round++)
            {
                var callId = Guid.NewGuid().ToString();
                var publishedAt = (DateTime.UtcNow - DateTime.UnixEpoch).TotalMilliseconds; // same clock as the page's timeOrigin
                bus.Publish(new AgentRinging(Guid.Parse(callId), DateTimeOffset.UtcNow, agent1, "13700137003", "8008101000", 1, "repairs"));
                var handle = await page.WaitForFunctionAsync($"() => (window.__seen['{callId}'] || -1) > 0 ? window.__seen['{callId}'] : null",
                    null, new() { Timeout = 30_000 });
                var paintedAt = await handle.JsonValueAsync<double>();
                if (round >= 0)
                {
                    browserMs.Add(paintedAt - publishedAt);
                }
            }

            Report("hub frame at the agent's connection", agents, hubMs);
            Report("pop painted in Chromium", agents, browserMs);
        }

        foreach (var (_, client) in clients)
        {
            await client.DisposeAsync();
        }

        return 0;
    }

    // The host's project folder (wwwroot); the factory only guesses it for test projects.
    private static string ContentRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "CallCenter.sln")))
        {
            dir = dir.Parent;
        }

        return Path.Combine(dir?.FullName ?? throw new InvalidOperationException("CallCenter.sln not found"), "src", "Agent.Web");
    }

    private static void Report(string what, int connected, List<double> ms)
    {
        ms.Sort();
        double P(double q) => ms[Math.Min(ms.Count - 1, (int)Math.Ceiling(q * ms.Count) - 1)];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"{what}: n={ms.Count}, agents connected={connected}, p50={P(0.50):F1} ms, p95={P(0.95):F1} ms, max={ms[^1]:F1} ms"));
    }

    private static async Task<string> LoginAsync(Uri baseUri, string user, string password)
    {
        var cookies = new CookieContainer();
        using var http = new HttpClient(new HttpClientHandler { CookieContainer = cookies }) { BaseAddress = baseUri };
        var token = await http.GetFromJsonAsync<TokenDto>("/api/auth/antiforgery");
        http.DefaultRequestHeaders.Add("X-XSRF-TOKEN", token!.Token);
        (await http.PostAsJsonAsync("/api/auth/login", new { username = user, password })).EnsureSuccessStatusCode();
        return cookies.GetCookieHeader(baseUri);
    }

    private sealed record TokenDto(string Token);
}
