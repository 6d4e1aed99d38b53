using System.Net;

namespace TaskService.Api.Tests.Hardening;

/// <summary>Requests over TaskService:RateLimits are answered 429 with Retry-After, per caller.</summary>
public sealed class RateLimitTests : IAsyncLifetime
{
    private readonly TaskServiceApiFactory _factory = new()
    {
        Overrides =
        {
            ["TaskService:RateLimits:PermitsPerSecond"] = "1",
            ["TaskService:RateLimits:Burst"] = "5",
        },
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task ACallerOverItsLimitGets429WithRetryAfterWhileAnotherCallerIsServed()
    {
        var first = _factory.CreateClient(TaskService.Gateway.Auth.Permissions.ViewTask);
        var statuses = new List<HttpStatusCode>();
        HttpResponseMessage? refused = null;
        for (var i = 0; i < 10 && refused is null; i++)
        {
            var response = await first.GetAsync("/tasks/count");
            statuses.Add(response.StatusCode);
            if (response.StatusCode == HttpStatusCode.TooManyRequests)
            {
                refused = response;
            }
        }

        Assert.NotNull(refused);
        Assert.True(statuses.Count(s => s == HttpStatusCode.OK) >= 4, string.Join(", ", statuses));
        Assert.True(refused.Headers.RetryAfter?.Delta is { TotalSeconds: >= 1 }, refused.Headers.ToString());
        var problem = await refused.AssertProblemAsync(HttpStatusCode.TooManyRequests);
        Assert.Contains("TaskService:RateLimits", problem.GetProperty("detail").GetString());
        Assert.Equal("https://tools.ietf.org/html/rfc6585#section-4", problem.GetProperty("type").GetString());

        // Another subject has a bucket of its own.
        var other = _factory.CreateAnonymousClient();
        other.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(
            "Bearer", TaskService.Gateway.Auth.AuthenticationSetup.CreateToken(_factory.Jwt, [TaskService.Gateway.Auth.Permissions.ViewTask], TimeSpan.FromMinutes(5), "someone-else"));
        await (await other.GetAsync("/tasks/count")).AssertStatusAsync(HttpStatusCode.OK);
    }
}
