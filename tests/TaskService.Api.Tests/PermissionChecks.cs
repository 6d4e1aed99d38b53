using System.Net;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

/// <summary>Checks that an endpoint needs exactly one permission code.</summary>
public static class PermissionChecks
{
    /// <summary>
    /// Sends the request three times: without a token it must be 401; with a token holding every code but
    /// <paramref name="code"/> it must be 403; with a token holding only <paramref name="code"/> it must be neither.
    /// </summary>
    /// <param name="request">Builds a fresh request each time (a request can be sent once).</param>
    public static async Task AssertRequiresAsync(TaskServiceApiFactory factory, string code, Func<HttpRequestMessage> request)
    {
        var anonymous = await factory.CreateAnonymousClient().SendAsync(request());
        await anonymous.AssertStatusAsync(HttpStatusCode.Unauthorized);

        var others = Permissions.All.Where(c => c != code).ToArray();
        var forbidden = await factory.CreateClient(others).SendAsync(request());
        await forbidden.AssertStatusAsync(HttpStatusCode.Forbidden);

        var allowed = await factory.CreateClient(code).SendAsync(request());
        Assert.True(
            allowed.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden),
            $"A token with only {code} was refused with {(int)allowed.StatusCode}: {await allowed.Content.ReadAsStringAsync()}");
    }

    /// <summary>
    /// Builds the request of a theory row: <c>{key}</c> in the path or body becomes a key of this run, so
    /// requests that succeed touch nothing other tests use.
    /// </summary>
    public static Func<HttpRequestMessage> Row(string method, string path, string? body)
    {
        var key = TaskSeeding.NewKey("perm");
        return () => JsonApi.Request(method, path.Replace("{key}", key), body?.Replace("{key}", key));
    }
}
