using CallCenter.Agent.Web.Tests.Callbacks;
using CallCenter.TestSupport;
using Microsoft.Playwright;

namespace CallCenter.Agent.Web.Tests.Browser;

/// <summary>The supervisor's callbacks page in real headless Chromium against the host on a loopback port.</summary>
[Collection("Browser")]
public sealed class CallbacksBrowserTests(KestrelWebAppFixture app) : IClassFixture<KestrelWebAppFixture>
{
    private const float TimeoutMs = 30_000;

    [PostgresFact]
    public async Task TheSupervisorSeesAnOverdueCallbackAndReschedulesAndCancelsThroughThePage()
    {
        var (moved, _) = await CallbacksApiTests.SeedAsync(app, "now() - interval '2 hours'");
        var (cancelled, _) = await CallbacksApiTests.SeedAsync(app, "now() + interval '20 minutes'");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, TimeoutMs);
        var page = await (await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } }))
            .NewPageAsync();
        page.SetDefaultTimeout(TimeoutMs);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await Chromium.LogInAsync(page, "supervisor");
        await page.WaitForURLAsync("**/supervisor");
        await page.ClickAsync("#nav-callbacks");
        await page.WaitForURLAsync("**/callbacks");
        await page.Locator("body[data-loaded=true]").WaitForAsync();
        (await page.Locator("#overdue h2").TextContentAsync()).ShouldBe("已逾期");
        await page.Locator($"#due tr[data-callback='{cancelled}']").WaitForAsync();

        // types and states read as words, not codes
        var overdueRow = page.Locator($"#overdue tr[data-callback='{moved}'] td");
        (await overdueRow.Nth(1).TextContentAsync()).ShouldBe("承诺回电");
        (await overdueRow.Nth(2).TextContentAsync()).ShouldBe("已排程");
        (await page.Locator("#summary tr[data-kind=promise][data-state=open] td").First.TextContentAsync()).ShouldBe("承诺回电");

        // Reschedule the overdue one from its history panel: it leaves the overdue list.
        await page.ClickAsync($"#overdue tr[data-callback='{moved}'] button[data-act=history]");
        await page.Locator("#detail tr[data-attempt]").First.WaitForAsync();
        await page.FillAsync("#manage-form input[name=at]", DateTime.Now.AddDays(2).ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture));
        await page.FillAsync("#manage-form input[name=reason]", "客户要求改到后天");
        await page.ClickAsync("#manage-form button[name=reschedule]");
        await page.Locator("#status.good").WaitForAsync();
        await page.Locator($"#overdue tr[data-callback='{moved}']").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        // The status turns good before the history panel reloads, so wait for the new attempt row rather than count once.
        await Assertions.Expect(page.Locator("#detail tr[data-attempt]")).ToHaveCountAsync(3, new() { Timeout = TimeoutMs });

        // Cancel the due one.
        await page.ClickAsync($"#due tr[data-callback='{cancelled}'] button[data-act=history]");
        await page.Locator("#detail h2", new() { HasText = "#" + cancelled }).WaitForAsync();
        await page.FillAsync("#manage-form input[name=reason]", "客户已到店取件");
        await page.ClickAsync("#manage-form button[name=cancel]");
        await page.Locator($"#due tr[data-callback='{cancelled}']").WaitForAsync(new() { State = WaitForSelectorState.Detached });
        (await app.CountAsync("SELECT count(*) FROM callbacks WHERE id = $1 AND state = 'cancelled'", cancelled)).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM callback_attempts WHERE callback_id = $1 AND state = 'scheduled' AND not_before > now() + interval '1 day'", moved)).ShouldBe(1);

        // The English switch relabels the sections.
        await page.ClickAsync("#lang");
        (await page.Locator("#overdue h2").TextContentAsync()).ShouldBe("Overdue");
        (await page.Locator("#summary tr[data-kind=promise][data-state=open] td").Nth(1).TextContentAsync()).ShouldBe("Open");
        (await page.Locator("#summary tr[data-kind=promise][data-state=open] td").First.TextContentAsync()).ShouldBe("Promised call back");
        errors.ShouldBeEmpty();
    }
}
