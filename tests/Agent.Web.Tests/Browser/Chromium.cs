using Microsoft.Playwright;

namespace CallCenter.Agent.Web.Tests.Browser;

/// <summary>Debian's /usr/bin/chromium (never a downloaded browser), headless, and the demo login form.</summary>
internal static class Chromium
{
    private static readonly string[] Args =
    [
        "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync", "--disable-quic",
    ];

    public static Task<IBrowser> LaunchAsync(IPlaywright playwright, float timeoutMs)
    {
        ArgumentNullException.ThrowIfNull(playwright);
        return playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = Args, Timeout = timeoutMs });
    }

    /// <summary>Logs in through the page's form with the demo password.</summary>
    public static async Task LogInAsync(IPage page, string username)
    {
        ArgumentNullException.ThrowIfNull(page);
        await page.GotoAsync("/login");
        await page.FillAsync("#username", username);
        await page.FillAsync("#password", WebAppFixture.Password);
        await page.ClickAsync("#submit");
    }
}
