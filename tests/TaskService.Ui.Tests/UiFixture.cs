using Microsoft.Playwright;

namespace TaskService.Ui.Tests;

/// <summary>One Development host and one browser for the UI tests; each test opens its own browser context (own cookies).</summary>
public sealed class UiFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public UiHost Host { get; private set; } = null!;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Host = await UiHost.StartAsync("Development");
        (_playwright, Browser) = await Chromium.LaunchAsync();
    }

    /// <summary>A new browser context on the host, with Playwright's waits bounded.</summary>
    public async Task<IPage> NewPageAsync(int width = 1280, int height = 900)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = Host.Address.ToString(),
            ViewportSize = new ViewportSize { Width = width, Height = height },
        });
        context.SetDefaultTimeout(20_000);
        return await context.NewPageAsync();
    }

    public async Task DisposeAsync()
    {
        if (Browser is not null)
        {
            await Browser.CloseAsync();
        }

        _playwright?.Dispose();
        if (Host is not null)
        {
            await Host.DisposeAsync();
        }
    }
}
