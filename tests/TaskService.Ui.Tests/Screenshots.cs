using Microsoft.Playwright;

namespace TaskService.Ui.Tests;

/// <summary>Screenshots of the main pages for the README, written to docs/screenshots of the repository.</summary>
public static class Screenshots
{
    public static async Task TakeAsync(IPage page, string name)
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "TaskService.sln")))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            return;
        }

        var target = Path.Combine(directory.FullName, "docs", "screenshots", name + ".png");
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = target, FullPage = true });
    }
}
