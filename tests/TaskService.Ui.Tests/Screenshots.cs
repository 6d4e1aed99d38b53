using Microsoft.Playwright;

namespace TaskService.Ui.Tests;

/// <summary>
/// Screenshots of the main pages: into artifacts/screenshots of the repository on every run (ignored by git, kept by CI), and
/// into docs/screenshots, which README shows, only when <c>TASKSERVICE_UPDATE_SCREENSHOTS=1</c> asks for it, so a test run
/// never leaves the working tree changed.
/// </summary>
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

        var folder = Environment.GetEnvironmentVariable("TASKSERVICE_UPDATE_SCREENSHOTS") == "1"
            ? Path.Combine(directory.FullName, "docs", "screenshots")
            : Path.Combine(directory.FullName, "artifacts", "screenshots");
        Directory.CreateDirectory(folder);
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(folder, name + ".png"), FullPage = true });
    }
}
