using System.Net;
using System.Text;
using TaskService.Common;

namespace TaskService.Api.Tests.Hardening;

/// <summary>
/// The request line and headers on a real socket (Kestrel, which the in-process test server leaves out): a filter within its
/// limit is never cut off by the server's request-line limit, and headers over the service's limits are answered with a problem
/// document that names the setting, not the server's bare status.
/// </summary>
public sealed class RequestLineAndHeaderLimitsTests : IAsyncLifetime
{
    private readonly TaskServiceApiFactory _factory = new();
    private readonly LimitsOptions _limits = new();

    public RequestLineAndHeaderLimitsTests() => _factory.UseKestrel(0);

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    private HttpClient Client(params string[] permissions) =>
        _factory.Token.With(permissions).Authorize(new HttpClient { BaseAddress = _factory.Address });

    [Fact]
    public async Task AFilterWithinItsLimitIsReadWhateverItsEncodedLength()
    {
        using var client = Client(TaskService.Gateway.Auth.Permissions.ViewTask);

        // Under MaxFilterLength as text, but far over the 8 KiB request line Kestrel takes by default once percent-encoded.
        var names = new StringBuilder();
        for (var i = 0; names.Length < _limits.MaxFilterLength - 200; i++)
        {
            names.Append(names.Length == 0 ? "" : ",").Append("\"{n").Append(i).Append("}\"");
        }

        var filter = "{\"where\":{\"name\":{\"inq\":[" + names + "]}}}";
        Assert.True(filter.Length <= _limits.MaxFilterLength);
        var target = "/tasks?filter=" + Uri.EscapeDataString(filter);
        Assert.True(target.Length > 2 * 8 * 1024, $"The request line is {target.Length} characters.");

        var response = await client.GetAsync(target);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        // One character over the limit is refused by the service, in words.
        var over = filter[..^3] + new string(' ', _limits.MaxFilterLength - filter.Length + 1) + "}}}";
        var refused = await client.GetAsync("/tasks?filter=" + Uri.EscapeDataString(over));
        await refused.AssertBadRequestNamingAsync("filter");
    }

    [Fact]
    public async Task HeadersOverTheLimitsAre431ProblemsNamingTheSetting()
    {
        using var client = Client(TaskService.Gateway.Auth.Permissions.ViewTask);

        using var large = new HttpRequestMessage(HttpMethod.Get, "/tasks/count");
        large.Headers.Add("x-padding", new string('p', _limits.MaxRequestHeadersBytes));
        var problem = await (await client.SendAsync(large)).AssertProblemAsync(HttpStatusCode.RequestHeaderFieldsTooLarge);
        Assert.Contains("TaskService:Limits:MaxRequestHeadersBytes", problem.GetProperty("detail").GetString());
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-5", problem.GetProperty("type").GetString());

        using var many = new HttpRequestMessage(HttpMethod.Get, "/tasks/count");
        for (var i = 0; i < _limits.MaxRequestHeaderCount; i++)
        {
            many.Headers.Add($"x-extra-{i}", "1");
        }

        problem = await (await client.SendAsync(many)).AssertProblemAsync(HttpStatusCode.RequestHeaderFieldsTooLarge);
        Assert.Contains("TaskService:Limits:MaxRequestHeaderCount", problem.GetProperty("detail").GetString());

        // Within both, the same request is answered.
        using var within = new HttpRequestMessage(HttpMethod.Get, "/tasks/count");
        within.Headers.Add("x-padding", new string('p', _limits.MaxRequestHeadersBytes / 2));
        Assert.Equal(HttpStatusCode.OK, (await client.SendAsync(within)).StatusCode);

        // Far past them the server itself refuses the request, before the service sees it.
        using var huge = new HttpRequestMessage(HttpMethod.Get, "/tasks/count");
        huge.Headers.Add("x-padding", new string('p', RequestHeadersGuardHeadroom * _limits.MaxRequestHeadersBytes + 1024));
        Assert.Equal(HttpStatusCode.RequestHeaderFieldsTooLarge, (await client.SendAsync(huge)).StatusCode);
    }

    private const int RequestHeadersGuardHeadroom = TaskService.Gateway.Http.RequestHeadersGuard.KestrelHeadroom;
}
