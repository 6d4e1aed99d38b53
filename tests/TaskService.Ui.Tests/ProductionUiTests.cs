using System.Net;

namespace TaskService.Ui.Tests;

/// <summary>Outside Development the UI has no development sign-in; without OpenID Connect it says how to configure sign-in.</summary>
public sealed class ProductionUiTests
{
    [Fact]
    public async Task WithoutOidcTheUiExplainsHowToConfigureSignInAndOffersNoDevelopmentSignIn()
    {
        await using var host = await UiHost.StartAsync("Production", new Dictionary<string, string>
        {
            ["Auth:JwtSecret"] = "ui-tests-production-secret-0123456789-abcdefghijkl",
        });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address };

        var page = await client.GetStringAsync("/ui/signin");
        Assert.Contains("Sign-in is not configured", page, StringComparison.Ordinal);
        Assert.Contains("TaskService:Ui:Oidc:Authority", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Development sign-in", page, StringComparison.Ordinal);

        // Even with a valid antiforgery pair, the development handler does not exist here.
        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"");
        Assert.False(token.Success, "the page offers no form to post");
        using var post = await client.PostAsync("/ui/signin?handler=Development", new FormUrlEncodedContent(new Dictionary<string, string> { ["UserId"] = "x" }));
        Assert.True(post.StatusCode is HttpStatusCode.BadRequest or HttpStatusCode.NotFound, $"answered {(int)post.StatusCode}");
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/dev/token")).StatusCode);
    }
}
