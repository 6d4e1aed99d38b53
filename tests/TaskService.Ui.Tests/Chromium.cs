using Microsoft.Playwright;

namespace TaskService.Ui.Tests;

/// <summary>
/// Debian's Chromium, driven by Playwright, which downloads no browser of its own here. <c>scripts/test.sh</c> installs it and
/// names it in TASKSERVICE_TEST_CHROMIUM.
/// </summary>
public static class Chromium
{
    public const string Variable = "TASKSERVICE_TEST_CHROMIUM";

    public static string ExecutablePath()
    {
        var configured = Environment.GetEnvironmentVariable(Variable);
        var path = string.IsNullOrWhiteSpace(configured) ? "/usr/bin/chromium" : configured;
        if (!File.Exists(path))
        {
            Assert.Fail(
                $"Chromium was not found at '{path}'. The web UI tests drive Debian's chromium: run them with scripts/test.sh, which installs it " +
                $"(apt-get install chromium), or install it yourself and set {Variable}=/usr/bin/chromium.");
        }

        return path;
    }

    public static async Task<(IPlaywright Playwright, IBrowser Browser)> LaunchAsync()
    {
        Environment.SetEnvironmentVariable("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1");
        var path = ExecutablePath();
        var playwright = await Playwright.CreateAsync();

        // Playwright starts the browser with a fresh temporary profile (user data dir) of its own and removes it on close.
        var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = path,
            Headless = true,
            Args =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync",
            ],
        });
        return (playwright, browser);
    }
}
