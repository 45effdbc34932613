using CallCenter.TestSupport;
using CallCenter.Agent.Web.Tests.Browser;
using Microsoft.Playwright;

namespace CallCenter.Agent.Web.Tests.Qa;

/// <summary>
/// Real headless Chromium (Debian /usr/bin/chromium) against the host on a loopback port. The sampled call's
/// rows and its WAV are inserted by the test (QaTestData), standing in for the live pipeline; the rest is real.
/// </summary>
// One collection for every Kestrel-hosted browser class: two such hosts starting at once break each other's start.
[Collection("Browser")]
public sealed class QaBrowserTests(KestrelWebAppFixture app) : IClassFixture<KestrelWebAppFixture>
{
    private const float TimeoutMs = 30_000;

    [PostgresFact]
    public async Task AReviewerPlaysTheSampledCallInSyncScoresItAndTheAgentAcknowledgesTheEvaluation()
    {
        var monday = new DateOnly(2026, 3, 2);
        var callId = await QaTestData.InsertCallAsync(app, "agent1", new DateTimeOffset(2026, 3, 3, 2, 0, 0, TimeSpan.Zero), 60,
            flagged: true, greetingPassed: true, recordingsPath: app.RecordingsPath);
        using (var qaApi = await app.LoginAsync("qa1"))
        {
            await QaTestData.RunAsync(qaApi, monday, 302);
        }

        var sampleId = await QaTestData.SampleIdAsync(app, callId);

        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, TimeoutMs);

        // The reviewer lands on the QA page, sees the assigned call and opens it.
        var qaContext = await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
        var qa = await qaContext.NewPageAsync();
        qa.SetDefaultTimeout(TimeoutMs);
        var errors = new List<string>();
        qa.PageError += (_, e) => errors.Add(e);
        await Chromium.LogInAsync(qa, "qa1");
        // Actions wait for their element, so the page load events (audio preloading included) never gate the test.
        await qa.ClickAsync($"#samples tr[data-sample='{sampleId}'] a");
        await qa.Locator("#qa-form").WaitForAsync();
        qa.Url.ShouldEndWith($"/qa?sample={sampleId}");

        // The taboo phrase is highlighted in the agent's line; both speakers are there.
        var mark = qa.Locator("#transcript p.agent.hit mark.taboo");
        (await mark.TextContentAsync()).ShouldBe(QaTestData.Taboo);
        (await qa.Locator("#transcript p.customer").CountAsync()).ShouldBe(2);

        // Clicking the agent's line seeks there and plays; the highlight follows the audio to the next line.
        await qa.ClickAsync("#transcript p[data-start='1600']");
        await qa.Locator("#transcript p.current[data-start='1600']").WaitForAsync();
        await qa.WaitForFunctionAsync("() => !document.getElementById('audio').paused && document.getElementById('audio').currentTime > 1.7");
        await qa.Locator("#transcript p.current[data-start='3100']").WaitForAsync();
        (await qa.EvaluateAsync<double>("() => document.getElementById('audio').currentTime")).ShouldBeGreaterThan(3.1);

        // The form arrives pre-filled from screening (no_taboo 0 for the H hit); the reviewer scores the rest.
        (await qa.InputValueAsync("#qa-form tr[data-code=no_taboo] input[name=score]")).ShouldBe("0");
        (await qa.InputValueAsync("#qa-form tr[data-code=greeting] input[name=score]")).ShouldBe("10");
        foreach (var row in await qa.Locator("#qa-form tr").AllAsync())
        {
            var score = row.Locator("input[name=score]");
            if (await score.InputValueAsync() == "")
            {
                await score.FillAsync(await score.GetAttributeAsync("max") ?? "0");
            }
        }

        (await qa.Locator("#total").TextContentAsync())!.ShouldContain("不合格");
        await qa.FillAsync("#qa-form textarea[name=comments]", "推诿用语，需辅导");
        await qa.ClickAsync("#submit");
        (await qa.Locator("#submitted").TextContentAsync())!.ShouldContain("不合格");
        await qa.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "qa-review.png"), FullPage = true });
        errors.ShouldBeEmpty();

        // The agent follows the QA link from the desktop, opens the evaluation and acknowledges it.
        var agentContext = await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString() });
        var agent = await agentContext.NewPageAsync();
        agent.SetDefaultTimeout(TimeoutMs);
        agent.PageError += (_, e) => errors.Add(e);
        await Chromium.LogInAsync(agent, "agent1");
        await agent.ClickAsync("#nav-qa");
        await agent.ClickAsync($"#mine tr[data-sample='{sampleId}'] a");
        (await agent.Locator("#evaluation .qa-total").TextContentAsync())!.ShouldContain("不合格");
        (await agent.Locator("#evaluation").TextContentAsync())!.ShouldContain("推诿用语，需辅导");
        await agent.ClickAsync("#acknowledge");
        await agent.Locator("#evaluation[data-status=acknowledged]").WaitForAsync();
        (await app.CountAsync("SELECT count(*) FROM qa_evaluations WHERE sample_id = $1 AND status = 'acknowledged'", sampleId)).ShouldBe(1);

        // The team supervisor's report: the chart has the agent's line, the table the fail, the CSV link is there.
        var supervisorContext = await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } });
        var supervisor = await supervisorContext.NewPageAsync();
        supervisor.SetDefaultTimeout(TimeoutMs);
        supervisor.PageError += (_, e) => errors.Add(e);
        await Chromium.LogInAsync(supervisor, "supervisor");
        await supervisor.ClickAsync("#nav-qa");
        await supervisor.Locator("#qa-chart polyline[data-agent='李静']").WaitForAsync(new() { State = WaitForSelectorState.Attached });
        (await supervisor.Locator("#report").TextContentAsync())!.ShouldContain("推诿");
        (await supervisor.Locator("#csv").GetAttributeAsync("href")).ShouldBe("/api/qa/reports.csv");
        await supervisor.ScreenshotAsync(new() { Path = Path.Combine(Path.GetTempPath(), "qa-report.png"), FullPage = true });
        errors.ShouldBeEmpty();
    }
}
