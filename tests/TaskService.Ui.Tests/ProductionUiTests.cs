using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

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

    [Fact]
    public async Task WithOidcConfiguredSignInGoesToTheIdentityProviderWithPkce()
    {
        // A stand-in identity provider: only its discovery document, which the challenge reads.
        var provider = WebApplication.CreateBuilder();
        provider.WebHost.UseUrls("http://127.0.0.1:0");
        await using var idp = provider.Build();
        string? issuer = null;
        idp.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer!,
            ["authorization_endpoint"] = issuer + "/authorize",
            ["token_endpoint"] = issuer + "/token",
            ["jwks_uri"] = issuer + "/jwks",
            ["response_types_supported"] = new[] { "code" },
        }));
        idp.MapGet("/jwks", () => Results.Json(new { keys = Array.Empty<object>() }));
        await idp.StartAsync();
        issuer = idp.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/');

        await using var host = await UiHost.StartAsync("Production", new Dictionary<string, string>
        {
            ["Auth:JwtSecret"] = "ui-tests-production-secret-0123456789-abcdefghijkl",
            ["TaskService:Ui:Oidc:Authority"] = issuer,
            ["TaskService:Ui:Oidc:ClientId"] = "task-service-ui",
            ["TaskService:Ui:Oidc:ClientSecret"] = "not-a-real-secret",
            ["TaskService:Ui:Oidc:RequireHttpsMetadata"] = "false",
        });
        using var client = new HttpClient(new HttpClientHandler { AllowAutoRedirect = false }) { BaseAddress = host.Address };
        var page = await client.GetStringAsync("/ui/signin?returnUrl=%2Fui%2Ftasks");
        Assert.Contains("Sign in with your organization", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Sign-in is not configured", page, StringComparison.Ordinal);
        Assert.DoesNotContain("Development sign-in", page, StringComparison.Ordinal);

        var token = System.Text.RegularExpressions.Regex.Match(page, "name=\"__RequestVerificationToken\" type=\"hidden\" value=\"([^\"]+)\"").Groups[1].Value;
        using var challenge = await client.PostAsync("/ui/signin?handler=Oidc", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["__RequestVerificationToken"] = token,
            ["ReturnUrl"] = "/ui/tasks",
        }));

        Assert.Equal(HttpStatusCode.Redirect, challenge.StatusCode);
        var location = challenge.Headers.Location!;
        Assert.StartsWith(issuer + "/authorize?", location.AbsoluteUri, StringComparison.Ordinal);
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query);
        Assert.Equal("task-service-ui", query["client_id"].ToString());
        Assert.Equal("code", query["response_type"].ToString());
        Assert.Equal("S256", query["code_challenge_method"].ToString());
        Assert.Equal(new Uri(host.Address, "/ui/signin-oidc").AbsoluteUri, query["redirect_uri"].ToString());
        Assert.Contains("openid", query["scope"].ToString(), StringComparison.Ordinal);
        await idp.StopAsync();
    }
}
