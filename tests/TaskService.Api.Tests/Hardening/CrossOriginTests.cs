using System.Net;

namespace TaskService.Api.Tests.Hardening;

/// <summary>
/// Browsers on other origins get answers only from origins TaskService:Cors lists: none by default, the listed ones with their
/// preflight answered, and an invalid list stops the start naming the setting.
/// </summary>
public sealed class CrossOriginTests
{
    private const string Allowed = "https://app.example.com";

    [Fact]
    public async Task WithoutAllowedOriginsAnotherOriginGetsNoCorsHeadersAndNoPreflight()
    {
        await using var factory = new TaskServiceApiFactory();
        var client = factory.CreateClient(TaskService.Gateway.Auth.Permissions.ViewTask);

        using var get = new HttpRequestMessage(HttpMethod.Get, "/tasks/count");
        get.Headers.Add("Origin", Allowed);
        var answer = await client.SendAsync(get);
        await answer.AssertStatusAsync(HttpStatusCode.OK);
        Assert.False(answer.Headers.Contains("Access-Control-Allow-Origin"), answer.Headers.ToString());

        var preflight = await client.SendAsync(Preflight("/tasks/count", Allowed, "GET"));
        Assert.NotEqual(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Origin"), preflight.Headers.ToString());
    }

    [Fact]
    public async Task AListedOriginGetsItsPreflightAndAnswersAndAnotherOriginDoesNot()
    {
        await using var factory = new TaskServiceApiFactory
        {
            Overrides = { ["TaskService:Cors:AllowedOrigins:0"] = Allowed, ["TaskService:Cors:AllowedOrigins:1"] = "http://localhost:3000" },
        };
        var client = factory.CreateClient(TaskService.Gateway.Auth.Permissions.ViewTask);

        // The preflight carries no token and is answered before any check of one.
        var preflight = await factory.CreateAnonymousClient().SendAsync(Preflight("/tasks/count", Allowed, "GET", "authorization"));
        Assert.Equal(HttpStatusCode.NoContent, preflight.StatusCode);
        Assert.Equal(Allowed, Single(preflight, "Access-Control-Allow-Origin"));
        Assert.Contains("GET", Single(preflight, "Access-Control-Allow-Methods"));
        Assert.Contains("authorization", Single(preflight, "Access-Control-Allow-Headers"), StringComparison.OrdinalIgnoreCase);
        Assert.False(preflight.Headers.Contains("Access-Control-Allow-Credentials"));

        using var get = new HttpRequestMessage(HttpMethod.Get, "/tasks/count");
        get.Headers.Add("Origin", Allowed);
        var answer = await client.SendAsync(get);
        await answer.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal(Allowed, Single(answer, "Access-Control-Allow-Origin"));

        // A refusal carries the header too, so that the page can read the problem.
        using var anonymous = new HttpRequestMessage(HttpMethod.Get, "/tasks/count");
        anonymous.Headers.Add("Origin", Allowed);
        var refused = await factory.CreateAnonymousClient().SendAsync(anonymous);
        await refused.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal(Allowed, Single(refused, "Access-Control-Allow-Origin"));

        using var other = new HttpRequestMessage(HttpMethod.Get, "/tasks/count");
        other.Headers.Add("Origin", "https://elsewhere.example.com");
        var unlisted = await client.SendAsync(other);
        Assert.False(unlisted.Headers.Contains("Access-Control-Allow-Origin"), unlisted.Headers.ToString());
        var unlistedPreflight = await factory.CreateAnonymousClient().SendAsync(Preflight("/tasks/count", "https://elsewhere.example.com", "GET"));
        Assert.False(unlistedPreflight.Headers.Contains("Access-Control-Allow-Origin"), unlistedPreflight.Headers.ToString());
    }

    [Theory]
    [InlineData("https://app.example.com/", "is not an origin")]
    [InlineData("https://app.example.com/path", "is not an origin")]
    [InlineData("app.example.com", "is not an origin")]
    [InlineData("ftp://app.example.com", "is not an origin")]
    public async Task AnAllowedOriginThatIsNotAnOriginStopsTheStartNamingTheSetting(string origin, string expected)
    {
        await using var factory = new TaskServiceApiFactory { Overrides = { ["TaskService:Cors:AllowedOrigins:0"] = origin } };

        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateAnonymousClient());

        var message = exception.ToString();
        Assert.Contains("TaskService:Cors:AllowedOrigins", message);
        Assert.Contains(expected, message);
    }

    [Fact]
    public async Task AStarBesideOtherOriginsStopsTheStart()
    {
        await using var factory = new TaskServiceApiFactory
        {
            Overrides = { ["TaskService:Cors:AllowedOrigins:0"] = "*", ["TaskService:Cors:AllowedOrigins:1"] = Allowed },
        };

        var exception = Assert.ThrowsAny<Exception>(() => factory.CreateAnonymousClient());

        Assert.Contains("'*' beside other origins", exception.ToString());
    }

    private static HttpRequestMessage Preflight(string path, string origin, string method, string? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Options, path);
        request.Headers.Add("Origin", origin);
        request.Headers.Add("Access-Control-Request-Method", method);
        if (headers is not null)
        {
            request.Headers.Add("Access-Control-Request-Headers", headers);
        }

        return request;
    }

    private static string Single(HttpResponseMessage response, string header) =>
        Assert.Single(response.Headers.GetValues(header));
}
