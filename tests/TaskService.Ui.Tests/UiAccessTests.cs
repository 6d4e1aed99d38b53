using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace TaskService.Ui.Tests;

/// <summary>Permissions, keyboard use, a narrow window and the security headers of the web UI.</summary>
[Collection(UiCollection.Name)]
public sealed class UiAccessTests(UiFixture fixture)
{
    [Fact]
    public async Task AUserWithoutAPermissionSeesAClearMessageNotAnError()
    {
        var page = await fixture.NewPageAsync();
        await UiFlowTests.SignInAsync(page, $"viewer-{Guid.NewGuid():N}", "viewers", "16004");

        foreach (var (link, need) in new[] { ("Tasks", "view tasks"), ("Workflows", "view workflows"), ("Events", "view events") })
        {
            await page.GetByRole(AriaRole.Link, new() { Name = link, Exact = true }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync($"does not carry the permission to {need}");
        }

        // The page is there, only the data is withheld: no error page, no status code in the 500s.
        var response = await page.GotoAsync("/ui/events");
        Assert.Equal(200, response!.Status);
    }

    [Fact]
    public async Task ANarrowWindowShowsOneColumnAndTheKeyboardReachesEveryControl()
    {
        var page = await fixture.NewPageAsync(width: 375, height: 800);
        await UiFlowTests.SignInAsync(page, $"mobile-{Guid.NewGuid():N}", "reviewers");
        foreach (var path in new[] { "/ui/inbox", "/ui/tasks", "/ui/workflows", "/ui/events" })
        {
            await page.GotoAsync(path);
            var overflow = await page.EvaluateAsync<int>("() => document.documentElement.scrollWidth - document.documentElement.clientWidth");
            Assert.True(overflow <= 0, $"{path} is {overflow} px wider than a 375 px window");
        }

        // Tab from the top: the skip link first, then the navigation, each with a visible focus outline.
        await page.GotoAsync("/ui/tasks");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Skip to content" })).ToBeFocusedAsync();
        var outline = await page.EvaluateAsync<string>("() => getComputedStyle(document.activeElement).outlineStyle");
        Assert.Equal("solid", outline);
        await page.Keyboard.PressAsync("Tab");
        await page.Keyboard.PressAsync("Tab");
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Inbox" })).ToBeFocusedAsync();

        // The filters submit with Enter; every input has a label.
        await page.GetByLabel("Name contains").FillAsync("nothing-is-called-this");
        await page.GetByLabel("Name contains").PressAsync("Enter");
        await Expect(page.GetByRole(AriaRole.Status)).ToHaveTextAsync("0 task(s)");
        var unlabelled = await page.EvaluateAsync<int>(
            "() => [...document.querySelectorAll('input:not([type=hidden]), select')].filter(e => !e.labels || e.labels.length === 0).length");
        Assert.Equal(0, unlabelled);
    }

    [Fact]
    public async Task AQueryValueGivenTwiceOrThatThePageCannotReadIsRefusedWithAMessageNamingIt()
    {
        var page = await fixture.NewPageAsync();
        await UiFlowTests.SignInAsync(page, $"query-{Guid.NewGuid():N}", "reviewers");

        foreach (var (path, named) in new[]
        {
            ("/ui/tasks?p=abc", "'p'"),
            ("/ui/tasks?p=0", "'p'"),
            ("/ui/tasks?p=2147483647", "'p'"),
            ("/ui/tasks?status=done", "'status'"),
            ("/ui/tasks?status=pending&status=completed", "'status' 2 times"),
            ("/ui/events?p=-1", "'p'"),
            ("/ui/events?p=1&p=2", "'p' 2 times"),
            ("/ui/inbox?tab=elsewhere", "'tab'"),
        })
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status == 400, $"{path} answered {response.Status}");
            await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync(named);
            Assert.DoesNotContain("Exception", await page.ContentAsync(), StringComparison.Ordinal);
        }

        // What the pages' own links and forms send is read as before: empty filters, a page number, no tab.
        foreach (var path in new[] { "/ui/tasks?status=&key=&name=&p=1", "/ui/tasks?status=in%20progress", "/ui/events?p=2", "/ui/inbox", "/ui/inbox?tab=", "/ui/inbox?tab=all", "/ui/events?p=" })
        {
            var response = await page.GotoAsync(path);
            Assert.True(response!.Status == 200, $"{path} answered {response.Status}: {string.Join(" ", await page.GetByRole(AriaRole.Alert).AllInnerTextsAsync())}");
        }
    }

    [Fact]
    public async Task UiPagesCarryAContentSecurityPolicyWithoutInlineScriptsAndNeverAStackTrace()
    {
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = fixture.Host.Address };
        using var signIn = await client.GetAsync("/ui/signin");
        var csp = Assert.Single(signIn.Headers.GetValues("Content-Security-Policy"));
        Assert.Contains("script-src 'self'", csp, StringComparison.Ordinal);
        Assert.DoesNotContain("unsafe-inline", csp, StringComparison.Ordinal);
        Assert.Equal("nosniff", Assert.Single(signIn.Headers.GetValues("X-Content-Type-Options")));
        Assert.True(signIn.Headers.CacheControl is { NoStore: true, NoCache: true }, $"Cache-Control: {signIn.Headers.CacheControl}");

        // Signed out, a page sends the user to the sign-in page and back.
        using var inbox = await client.GetAsync("/ui/tasks?status=pending");
        Assert.Equal(HttpStatusCode.Redirect, inbox.StatusCode);
        Assert.Equal("/ui/signin?returnUrl=%2Fui%2Ftasks%3Fstatus%3Dpending", inbox.Headers.Location!.OriginalString);

        // A form post without the antiforgery token is refused with a plain page, and signs no one in.
        using var forged = await client.PostAsync("/ui/signin?handler=Development", new FormUrlEncodedContent(new Dictionary<string, string> { ["UserId"] = "mallory" }));
        Assert.True(forged.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"answered {(int)forged.StatusCode}");
        Assert.DoesNotContain("Exception", await forged.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.False(forged.Headers.Contains("Set-Cookie") && forged.Headers.GetValues("Set-Cookie").Any(c => c.StartsWith("TaskService.Ui.Token", StringComparison.Ordinal)));

        // A page that does not exist is a friendly 404 page.
        using var missing = await client.GetAsync("/ui/no-such-page");
        Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
        var text = await missing.Content.ReadAsStringAsync();
        Assert.Contains("Page not found", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }
}
