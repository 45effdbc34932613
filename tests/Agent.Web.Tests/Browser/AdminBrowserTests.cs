using CallCenter.Telephony.Routing;
using CallCenter.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace CallCenter.Agent.Web.Tests.Browser;

/// <summary>The admin page in real headless Chromium (Debian /usr/bin/chromium) against the host on a loopback port.</summary>
[Collection("Browser")]
public sealed class AdminBrowserTests(KestrelWebAppFixture app) : IClassFixture<KestrelWebAppFixture>
{
    private const float TimeoutMs = 30_000;

    [PostgresFact]
    public async Task TheAdminEditsALinesRingTimeoutAndAddsAHolidayThroughThePage()
    {
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await Chromium.LaunchAsync(playwright, TimeoutMs);
        var page = await (await browser.NewContextAsync(new() { BaseURL = app.BaseAddress.ToString(), ViewportSize = new() { Width = 1280, Height = 900 } }))
            .NewPageAsync();
        page.SetDefaultTimeout(TimeoutMs);
        var errors = new List<string>();
        page.PageError += (_, e) => errors.Add(e);
        await Chromium.LogInAsync(page, "admin");
        await page.WaitForURLAsync("**/admin");
        await page.Locator("body[data-loaded=true]").WaitForAsync();
        (await page.Locator("#lines h2").TextContentAsync()).ShouldBe("服务热线与号码");

        // Edit the repairs line: the form fills from the row, the save reloads the table.
        await page.ClickAsync("#lines tr[data-line=repairs] button.edit");
        (await page.InputValueAsync("#line-form input[name=nameZh]")).ShouldBe("维修服务");
        await page.FillAsync("#line-form input[name=ringTimeoutSeconds]", "33");
        await page.ClickAsync("#line-form button[type=submit]");
        await page.Locator("#lines tr[data-line=repairs] td.ring", new() { HasText = "33" }).WaitForAsync();
        var line = await app.Factory.Services.GetRequiredService<DnisMap>().LookupAsync("8008101000", CancellationToken.None);
        line.ShouldNotBeNull().RingTimeoutSeconds.ShouldBe(33);

        // A value the server refuses shows its field error instead of saving.
        await page.ClickAsync("#lines tr[data-line=repairs] button.edit");
        await page.EvaluateAsync("() => document.querySelector('#line-form input[name=ringTimeoutSeconds]').removeAttribute('max')");
        await page.FillAsync("#line-form input[name=ringTimeoutSeconds]", "999");
        await page.ClickAsync("#line-form button[type=submit]");
        await page.Locator("#line-form .status.err", new() { HasText = "ringTimeoutSeconds" }).WaitForAsync();

        // Add a holiday through the form; it appears in the list and in the database.
        await page.FillAsync("#day-form input[name=day]", "2027-10-08");
        await page.SelectOptionAsync("#day-form select[name=kind]", "holiday");
        await page.FillAsync("#day-form input[name=name]", "国庆节");
        await page.ClickAsync("#day-form button[type=submit]");
        await page.Locator("#holidays tr[data-day='2027-10-08']").WaitForAsync();
        (await page.Locator("#holidays tr[data-day='2027-10-08']").TextContentAsync())!.ShouldContain("国庆节");
        (await app.CountAsync("SELECT count(*) FROM calendar_days WHERE day = '2027-10-08' AND kind = 'holiday'")).ShouldBe(1);
        (await app.CountAsync("SELECT count(*) FROM audit_log WHERE actor = 'admin' AND action IN ('line_edited','config_changed')")).ShouldBe(2);

        // The hours section says what the default hours and a line's own hours each do.
        (await page.Locator("#hours-note").TextContentAsync())!.ShouldContain("来电不受影响");
        await page.SelectOptionAsync("#hours-form select[name=line]", new SelectOptionValue { Index = 1 });
        await page.Locator("#hours-note", new() { HasText = "下班提示" }).WaitForAsync();

        var shots = Path.Combine(TestEnvironment.RepositoryRoot, "TestResults", "screenshots");
        Directory.CreateDirectory(shots);
        (await page.ScreenshotAsync(new() { Path = Path.Combine(shots, "admin.png"), FullPage = true })).Length.ShouldBeGreaterThan(1000);

        // The English switch relabels the admin sections.
        await page.ClickAsync("#lang");
        (await page.Locator("#lines h2").TextContentAsync()).ShouldBe("Service lines and numbers");
        (await page.Locator("#line-form").TextContentAsync())!.ShouldContain("Ring timeout (s)");
        errors.ShouldBeEmpty();
    }
}
