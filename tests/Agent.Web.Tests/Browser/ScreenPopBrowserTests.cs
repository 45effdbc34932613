using CallCenter.Agent.Web.Tests.Hubs;
using CallCenter.Telephony.Calls;
using CallCenter.Telephony.Outbound;
using CallCenter.TestSupport;
using Microsoft.Playwright;

namespace CallCenter.Agent.Web.Tests.Browser;

/// <summary>
/// Real headless Chromium (Debian /usr/bin/chromium, never a downloaded browser) against the host on a real
/// loopback port. The AgentRinging event is published on the bus by the test, standing in for a sipp call
/// through the softswitch (LiveCallBrowserTests drives the same page from a real sipp call); the rest of the path is the real one.
/// </summary>
// One collection for every Kestrel-hosted browser class: two such hosts starting at once break each other's start.
[Collection("Browser")]
public sealed class ScreenPopBrowserTests(KestrelWebAppFixture app) : IClassFixture<KestrelWebAppFixture>
{
    private const float TimeoutMs = 30_000;

    [PostgresFact]
    public async Task AnAgentSeesTheScreenPopWithCustomerAndWarrantyAndTheSupervisorSeesTheWallboard()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, TimeoutMs);

        // Agent desktop: log in through the form, wait for the hub, then the phone rings.
        var agentContext = await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 860 } });
        var agent = await agentContext.NewPageAsync();
        agent.SetDefaultTimeout(TimeoutMs);
        var scriptErrors = new List<string>();
        agent.PageError += (_, e) => scriptErrors.Add(e);
        await Chromium.LogInAsync(agent, "agent1");
        await agent.WaitForURLAsync("**/agent");
        await agent.Locator("body[data-hub=connected]").WaitForAsync();
        (await agent.Locator("#waiting").TextContentAsync()).ShouldBe("等待来电…");

        var agentId = await app.AgentIdAsync("agent1");
        var callId = Guid.NewGuid();
        app.Bus.Publish(new AgentRinging(callId, DateTimeOffset.UtcNow, agentId, "13700137003", "8008101000", 1, "repairs"));

        var pop = agent.Locator($"#pop[data-call-id='{callId}']");
        await pop.WaitForAsync();
        (await agent.Locator("#call-state").TextContentAsync()).ShouldBe("振铃中"); // before answering
        (await agent.Locator("#caller").TextContentAsync()).ShouldBe("13700137003");
        (await agent.Locator("#customer-name").TextContentAsync())!.ShouldContain("陈晓明");
        (await agent.Locator("#products .warranty").First.TextContentAsync()).ShouldBe("保修期内：免费维修");
        (await agent.Locator("#repairs tr.ready").First.TextContentAsync())!.ShouldContain("待取机");

        // Another agent's call stays closed to this browser session.
        var otherCall = await app.RingAsync(await app.AgentIdAsync("agent2"), "13900139002");
        (await agent.APIRequest.GetAsync($"/api/calls/{otherCall}")).Status.ShouldBe(403);

        // The softswitch would now connect the call and the transcription pipeline write its rows (stand-ins here).
        app.Bus.Publish(new CallAnswered(callId, DateTimeOffset.UtcNow, agentId));
        await agent.Locator("#call-state.connected").WaitForAsync();
        await InsertTranscriptAsync(callId, agentId);
        await agent.Locator("#tr-customer p").First.WaitForAsync();
        await agent.Locator("#hints .hint").First.WaitForAsync();
        (await agent.Locator("#hints .hint").First.TextContentAsync())!.ShouldContain("这不归我管");
        await Screenshot(agent, "agent-desktop.png");

        // The English switch relabels the page without losing the call.
        await agent.ClickAsync("#lang");
        (await agent.Locator("#call-state").TextContentAsync()).ShouldBe("Connected");
        (await agent.Locator("#products .warranty").First.TextContentAsync()).ShouldBe("In warranty: free repair");
        await agent.ClickAsync("#lang");

        // Supervisor: the wallboard shows the agent on the call and the taboo alert.
        var supervisorContext = await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 760 } });
        var supervisor = await supervisorContext.NewPageAsync();
        supervisor.SetDefaultTimeout(TimeoutMs);
        await Chromium.LogInAsync(supervisor, "supervisor");
        await supervisor.WaitForURLAsync("**/supervisor");
        await supervisor.Locator("body[data-loaded=true]").WaitForAsync();
        (await supervisor.Locator("#agents tr[data-agent=agent1]").TextContentAsync())!.ShouldContain("通话中");
        (await supervisor.Locator("#queues tr[data-line=repairs]").CountAsync()).ShouldBe(1);
        (await supervisor.Locator("#queues tr[data-line=repairs] td[data-kpi=abandoned]").TextContentAsync()).ShouldBe("0");
        (await supervisor.Locator("#queues tr[data-line=repairs] td[data-kpi=avg-wait]").TextContentAsync()).ShouldNotBeNullOrEmpty();
        (await supervisor.Locator("#alerts .hint").First.TextContentAsync())!.ShouldContain("T900");
        (await supervisor.Locator($"#live-calls tr[data-call-id='{callId}']").TextContentAsync())!.ShouldContain("137****7003");
        await Screenshot(supervisor, "wallboard.png");

        // The alert links to the call's transcript page, which the supervisor may open and agent 2 may not.
        var callPage = await supervisorContext.RunAndWaitForPageAsync(() => supervisor.Locator("#alerts .hint a").First.ClickAsync());
        await callPage.Locator("#tr-agent p").First.WaitForAsync();
        (await callPage.Locator("#tr-customer p").First.TextContentAsync()).ShouldBe("你好，我的手机又开不了机了。");
        var agent2Context = await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString() });
        var agent2 = await agent2Context.NewPageAsync();
        agent2.SetDefaultTimeout(TimeoutMs);
        await Chromium.LogInAsync(agent2, "agent2");
        await agent2.WaitForURLAsync("**/agent");
        await agent2.GotoAsync($"/call?id={callId}");
        await agent2.Locator("#forbidden").WaitForAsync();
        scriptErrors.ShouldBeEmpty();
    }

    [PostgresFact]
    public async Task AnAgentFirstCallbackPopsAsAnOutboundCallbackWithItsKindReasonAndAttempt()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, TimeoutMs);
        var context = await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString() });
        var agent = await context.NewPageAsync();
        agent.SetDefaultTimeout(TimeoutMs);
        var scriptErrors = new List<string>();
        agent.PageError += (_, e) => scriptErrors.Add(e);
        await Chromium.LogInAsync(agent, "agent2");
        await agent.WaitForURLAsync("**/agent");
        await agent.Locator("body[data-hub=connected]").WaitForAsync();
        var agentId = await app.AgentIdAsync("agent2");
        var customerId = await app.CountAsync("SELECT customer_id FROM customer_phones WHERE number = '13700137003' LIMIT 1");
        var (callbackId, attemptId, callId) = await CallbackPopTests.SeedAsync(app, agentId, customerId);

        app.Bus.Publish(new CallbackRinging(callId, DateTimeOffset.UtcNow, callbackId, attemptId, "promise", customerId, "136****6099"));
        app.Bus.Publish(new AgentRinging(callId, DateTimeOffset.UtcNow, agentId, CallbackPopTests.Destination, "8008101000", 0, "callbacks"));

        await agent.Locator($"#pop[data-call-id='{callId}'] #callback-context").WaitForAsync();
        (await agent.Locator("#call-state").TextContentAsync()).ShouldBe("振铃中"); // before answering
        (await agent.Locator("#callback-kind").TextContentAsync()).ShouldBe("外呼回电：承诺回电");
        (await agent.Locator("#callback-attempt").TextContentAsync())!.ShouldContain("2/3");
        (await agent.Locator("#callback-reason").TextContentAsync())!.ShouldContain(CallbackPopTests.Reason);
        (await agent.Locator("#customer-name").TextContentAsync())!.ShouldContain("陈晓明");
        await agent.ClickAsync("#lang");
        (await agent.Locator("#callback-kind").TextContentAsync()).ShouldBe("Outbound callback：Promised call back");
        await agent.ClickAsync("#lang");
        scriptErrors.ShouldBeEmpty();
    }

    [PostgresFact]
    public async Task APopMissedDuringADisconnectIsShownOnReconnectAndAnUnknownCallerGetsTheQuickCreateForm()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, TimeoutMs);
        var context = await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString() });
        // Keeps a handle on the page's WebSockets so the test can drop them (offline emulation leaves open sockets alone).
        await context.AddInitScriptAsync("""
            (() => { const Native = window.WebSocket; window.__sockets = [];
              function Tracked(...args) { const s = new Native(...args); window.__sockets.push(s); return s; }
              Tracked.prototype = Native.prototype;
              Object.assign(Tracked, { CONNECTING: 0, OPEN: 1, CLOSING: 2, CLOSED: 3 });
              window.WebSocket = Tracked; })();
            """);
        var page = await context.NewPageAsync();
        page.SetDefaultTimeout(TimeoutMs);
        await Chromium.LogInAsync(page, "agent3");
        await page.WaitForURLAsync("**/agent");
        await page.Locator("body[data-hub=connected]").WaitForAsync();
        await page.Locator("#conn.on").WaitForAsync();

        // Network gone: no new connections, and the open hub socket drops; the phone rings meanwhile (the push reaches nobody).
        await context.SetOfflineAsync(true);
        await page.EvaluateAsync("() => window.__sockets.forEach(s => s.close(4000, 'network lost'))");
        await page.Locator("#conn.off").WaitForAsync();
        var callId = await app.RingAsync(await app.AgentIdAsync("agent3"), "13512340000");
        await context.SetOfflineAsync(false);

        // Automatic reconnect, then the page re-reads the desk from the database.
        await page.Locator($"#pop[data-call-id='{callId}']").WaitForAsync();
        await page.Locator("#conn.on").WaitForAsync();
        (await page.Locator("#caller").TextContentAsync()).ShouldBe("13512340000");
        await page.FillAsync("#quick-create input[name=name]", "周杰");
        await page.FillAsync("#quick-create input[name=surname]", "周");
        await page.SelectOptionAsync("#quick-create select[name=honorific]", "先生");
        await page.ClickAsync("#quick-create button[type=submit]");
        await page.Locator("#customer-name").WaitForAsync();
        (await page.Locator("#customer-name").TextContentAsync())!.ShouldContain("周杰");
        (await app.CountAsync("SELECT count(*) FROM customer_phones WHERE number = '13512340000'")).ShouldBe(1);
    }

    [PostgresFact]
    public async Task TheAdminPageListsTheConfigurationAndSavesASkill()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, TimeoutMs);
        var page = await (await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString() })).NewPageAsync();
        page.SetDefaultTimeout(TimeoutMs);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await Chromium.LogInAsync(page, "admin");
        await page.WaitForURLAsync("**/admin");
        await page.Locator("#policies tr").Nth(1).WaitForAsync();
        (await page.Locator("#lines").TextContentAsync())!.ShouldContain("8008101000");
        (await page.Locator("#rules").TextContentAsync())!.ShouldContain("演示：已确认的骚扰号码");
        var agent3 = await app.AgentIdAsync("agent3");
        var before = await app.CountAsync("SELECT count(*) FROM agent_skills WHERE agent_id = $1", agent3);

        var box = page.Locator("#agents tr").Filter(new() { HasText = "agent3" }).Locator("input[data-line='1']");
        await box.ClickAsync();
        for (var i = 0; i < 100 && await app.CountAsync("SELECT count(*) FROM agent_skills WHERE agent_id = $1", agent3) == before; i++)
        {
            await Task.Delay(50);
        }

        // agent3 has no repairs skill in the demo data: the click adds it.
        (await app.CountAsync("SELECT count(*) FROM agent_skills WHERE agent_id = $1", agent3)).ShouldBe(before + 1);
        errors.ShouldBeEmpty();
    }

    private async Task InsertTranscriptAsync(Guid callId, int agentId)
    {
        string[] statements =
        [
            """
            INSERT INTO calls (id, direction, sip_call_id, caller_number, dialed_number, service_line_id, agent_id, node, state)
            VALUES ($1, 'inbound', 'browser-' || $1::text, '13700137003', '8008101000', 1, $2, 'test', 'connected')
            """,
            "INSERT INTO screening_rules (code, kind, phrase, severity, replacement) VALUES ('T900', 'taboo', '这不归我管', 'H', '这个问题我帮您转给负责的同事处理')",
            "INSERT INTO transcript_segments (call_id, speaker, seq, start_ms, end_ms, text) VALUES ($1, 'customer', 1, 0, 3000, '你好，我的手机又开不了机了。')",
            "INSERT INTO transcript_segments (call_id, speaker, seq, start_ms, end_ms, text) VALUES ($1, 'agent', 1, 3500, 5000, '这不归我管，你自己看说明书。')",
            """
            INSERT INTO screening_hits (call_id, segment_id, rule_id, rule_version, speaker, matched_text, match_mode)
            SELECT $1, s.id, r.id, 1, 'agent', '这不归我管', 'exact' FROM transcript_segments s, screening_rules r
             WHERE s.call_id = $1 AND s.speaker = 'agent' AND r.code = 'T900'
            """,
        ];
        foreach (var sql in statements)
        {
            await using var cmd = app.Db.CreateCommand(sql);
            if (sql.Contains("$1", StringComparison.Ordinal))
            {
                cmd.Parameters.AddWithValue(callId);
            }

            if (sql.Contains("$2", StringComparison.Ordinal))
            {
                cmd.Parameters.AddWithValue(agentId);
            }

            await cmd.ExecuteNonQueryAsync();
        }
    }

    /// <summary>
    /// Into TestResults always; into docs/screenshots (committed, shown in the README) only when
    /// CALLCENTER_UPDATE_SCREENSHOTS=1, so an ordinary test run leaves the checkout clean.
    /// </summary>
    private static async Task Screenshot(IPage page, string name)
    {
        var update = Environment.GetEnvironmentVariable("CALLCENTER_UPDATE_SCREENSHOTS") == "1";
        var dir = Path.Combine(TestEnvironment.RepositoryRoot, update ? "docs/screenshots" : "TestResults/screenshots");
        Directory.CreateDirectory(dir);
        var bytes = await page.ScreenshotAsync(new() { Path = Path.Combine(dir, name), FullPage = false });
        bytes.Length.ShouldBeGreaterThan(1000);
    }
}
