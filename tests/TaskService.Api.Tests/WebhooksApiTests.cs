using System.Net;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class WebhooksApiTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task SubscribingAnswers201WithAnActiveSubscriptionOfTheCallingApp()
    {
        var app = await ClientApp.CreateAsync(factory);
        var url = $"https://hooks.example.com/{Guid.NewGuid():N}";

        var response = await app.CreateWebhooksClient(factory).PostJsonAsync("/webhooks/subscribe", new { url, key = "task-created" });

        var subscription = await response.ReadJsonAsync(HttpStatusCode.Created);
        var id = subscription.GetProperty("id").GetString();
        Assert.False(string.IsNullOrWhiteSpace(id));
        Assert.Equal(url, subscription.GetProperty("url").GetString());
        Assert.Equal("task-created", subscription.GetProperty("key").GetString());
        Assert.Equal(app.Id, subscription.GetProperty("clientAppId").GetString());
        Assert.Equal("active", subscription.GetProperty("status").GetString());
        Assert.Equal($"/webhooks/{id}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task SubscribingTheSameUrlAndKeyAgainReturnsTheSameSubscription()
    {
        var app = await ClientApp.CreateAsync(factory);
        var url = $"https://hooks.example.com/{Guid.NewGuid():N}";

        var first = await app.SubscribeAsync(factory, url, "task-created");
        var second = await app.SubscribeAsync(factory, url, "task-created");
        var otherKey = await app.SubscribeAsync(factory, url, "task-completed");

        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        Assert.NotEqual(first.GetProperty("id").GetString(), otherKey.GetProperty("id").GetString());
        var listed = await app.CreateWebhooksClient(factory).GetJsonAsync("/webhooks");
        Assert.Equal(2, listed.GetArrayLength());
    }

    [Theory]
    [InlineData(true, "wrong-secret")]
    [InlineData(true, null)]
    [InlineData(false, null)]
    public async Task SubscribingWithAWrongOrMissingSecretIs401(bool sendKey, string? secret)
    {
        var app = await ClientApp.CreateAsync(factory);
        var client = factory.CreateClient(Permissions.SubscribeToWebhook);
        var request = JsonApi.Request("POST", "/webhooks/subscribe", """{"url": "https://hooks.example.com/x", "key": "task-created"}""");
        if (sendKey)
        {
            request.Headers.Add(ClientApp.ApiKeyHeader, app.ApiKey);
        }

        if (secret is not null)
        {
            request.Headers.Add(ClientApp.ApiSecretHeader, secret);
        }

        var response = await client.SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Empty((await app.CreateWebhooksClient(factory).GetJsonAsync("/webhooks")).EnumerateArray());
    }

    [Fact]
    public async Task SubscribingWithAnUnknownApiKeyIs401()
    {
        var app = await ClientApp.CreateAsync(factory);

        var response = await (app with { ApiKey = Guid.NewGuid().ToString("N") }).CreateWebhooksClient(factory)
            .PostJsonAsync("/webhooks/subscribe", new { url = "https://hooks.example.com/x", key = "task-created" });

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Theory]
    [InlineData("""{"url": "not a url", "key": "task-created"}""", "url")]
    [InlineData("""{"url": "/relative/path", "key": "task-created"}""", "url")]
    [InlineData("""{"url": "ftp://hooks.example.com/x", "key": "task-created"}""", "url")]
    [InlineData("""{"key": "task-created"}""", "url")]
    [InlineData("""{"url": "https://hooks.example.com/x"}""", "key")]
    [InlineData("""{"url": "https://hooks.example.com/x", "key": ""}""", "key")]
    [InlineData("""{"url": "https://hooks.example.com/x", "key": "   "}""", "key")]
    [InlineData("""{"url": "https://hooks.example.com/x", "key": "task\u0000created"}""", "key")]
    [InlineData("""{"url": "https://hooks.example.com/x", "key": "task-\ncreated"}""", "key")]
    [InlineData("""{"url": "https://hooks.example.com/x", "key": ["task-created"]}""", "key")]
    [InlineData("""{"url": "https://hooks.example.com/x", "key": "task-create"}""", "key")]
    [InlineData("""{"url": "https://hooks.example.com/x", "key": "Task-Created"}""", "key")]
    [InlineData("""{"url": "https://hooks.example.com/x#part", "key": "task-created"}""", "url")]
    [InlineData("""{"url": "https://hooks.example.com/x", "key": "task-created", "secret": "s"}""", "secret")]
    [InlineData("""{"url": " https://hooks.example.com/x", "key": "task-created"}""", "url")]
    [InlineData("""{"url": "https://hooks.example.com:0/x", "key": "task-created"}""", "url")]
    [InlineData("""{"url": "https://hooks.example.com/x ", "key": "task-created"}""", "url")]
    [InlineData("not json", "body")]
    [InlineData("", "body")]
    public async Task SubscribingWithABadBodyIs400NamingTheField(string body, string field)
    {
        var app = await ClientApp.CreateAsync(factory);

        var response = await app.CreateWebhooksClient(factory).SendAsync("POST", "/webhooks/subscribe", body);

        await response.AssertBadRequestNamingAsync(field);
        Assert.Empty((await app.CreateWebhooksClient(factory).GetJsonAsync("/webhooks")).EnumerateArray());
    }

    [Fact]
    public async Task ASubscriptionKeyIsHeldToTheEventKeyLengthLimit()
    {
        var app = await ClientApp.CreateAsync(factory);
        var limit = new TaskService.Common.LimitsOptions().MaxKeyLength;
        var hooks = app.CreateWebhooksClient(factory);

        var problem = await (await hooks.PostJsonAsync("/webhooks/subscribe", new { url = "https://hooks.example.com/x", key = new string('k', limit + 1) }))
            .AssertBadRequestNamingAsync("key");
        Assert.Contains("TaskService:Limits", problem.GetProperty("detail").GetString());
        Assert.Empty((await hooks.GetJsonAsync("/webhooks")).EnumerateArray());
    }

    [Fact]
    public async Task ASubscriptionUrlIsHeldToTheUrlLengthLimitAndNoOtherLimit()
    {
        var app = await ClientApp.CreateAsync(factory);
        var limit = new TaskService.Common.LimitsOptions().MaxUrlLength;
        var hooks = app.CreateWebhooksClient(factory);
        const string prefix = "https://hooks.example.com/";
        var longest = prefix + new string('p', limit - prefix.Length);

        var created = await (await hooks.PostJsonAsync("/webhooks/subscribe", new { url = longest, key = "task-created" }))
            .ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal(longest, created.GetProperty("url").GetString());

        var problem = await (await hooks.PostJsonAsync("/webhooks/subscribe", new { url = longest + "p", key = "task-created" }))
            .AssertBadRequestNamingAsync("url");
        Assert.Contains("TaskService:Limits", problem.GetProperty("detail").GetString());
        Assert.Single((await hooks.GetJsonAsync("/webhooks")).EnumerateArray());
    }

    [Fact]
    public async Task AKeyTaskServiceNeverPublishesIs400ListingTheOnesItDoes()
    {
        var app = await ClientApp.CreateAsync(factory);
        var hooks = app.CreateWebhooksClient(factory);

        var problem = await (await hooks.PostJsonAsync("/webhooks/subscribe", new { url = "https://hooks.example.com/x", key = "contract.received" }))
            .AssertBadRequestNamingAsync("key");

        Assert.Equal("'key' must be an event TaskService publishes: task-created, task-completed, user-task-completed.",
            problem.GetProperty("detail").GetString());
        Assert.Empty((await hooks.GetJsonAsync("/webhooks")).EnumerateArray());
        foreach (var key in new[] { "task-created", "task-completed", "user-task-completed" })
        {
            await app.SubscribeAsync(factory, "https://hooks.example.com/x", key);
        }
    }

    [Fact]
    public async Task ListingShowsOnlyTheCallingAppsSubscriptions()
    {
        var app = await ClientApp.CreateAsync(factory);
        var other = await ClientApp.CreateAsync(factory);
        var mine = (await app.SubscribeAsync(factory, $"https://a.example.com/{Guid.NewGuid():N}", "task-created")).GetProperty("id").GetString()!;
        await other.SubscribeAsync(factory, $"https://b.example.com/{Guid.NewGuid():N}", "task-created");

        var listed = await app.CreateWebhooksClient(factory).GetJsonAsync("/webhooks");

        Assert.Equal([mine], listed.Values("id"));
        Assert.All(listed.EnumerateArray(), s => Assert.Equal(app.Id, s.GetProperty("clientAppId").GetString()));
    }

    [Fact]
    public async Task ListingHonoursTheFilterWithinTheAppsSubscriptions()
    {
        var app = await ClientApp.CreateAsync(factory);
        var other = await ClientApp.CreateAsync(factory);
        var url = $"https://a.example.com/{Guid.NewGuid():N}";
        await app.SubscribeAsync(factory, url, "task-created");
        await app.SubscribeAsync(factory, url, "task-completed");
        await other.SubscribeAsync(factory, url, "task-completed");

        var listed = await app.CreateWebhooksClient(factory).GetJsonAsync($"/webhooks?{JsonApi.Filter(new { where = new { key = "task-completed" }, fields = new[] { "key", "clientAppId" } })}");
        var unscoped = await app.CreateWebhooksClient(factory).GetJsonAsync($"/webhooks?{JsonApi.Filter(new { where = new { clientAppId = other.Id } })}");

        Assert.Equal(["task-completed"], listed.Values("key"));
        Assert.Equal([app.Id], listed.Values("clientAppId"));
        Assert.Empty(unscoped.EnumerateArray());
    }

    [Fact]
    public async Task ListingWithABadFilterIs400NamingFilter()
    {
        var app = await ClientApp.CreateAsync(factory);

        var response = await app.CreateWebhooksClient(factory).GetAsync($"/webhooks?{JsonApi.Filter("""{"where": {"secret": "x"}}""")}");

        await response.AssertBadRequestNamingAsync("filter");
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ListingWithAWrongOrMissingSecretIs401(bool sendWrongSecret)
    {
        var app = await ClientApp.CreateAsync(factory);
        var request = JsonApi.Request("GET", "/webhooks");
        request.Headers.Add(ClientApp.ApiKeyHeader, app.ApiKey);
        if (sendWrongSecret)
        {
            request.Headers.Add(ClientApp.ApiSecretHeader, "wrong");
        }

        var response = await factory.CreateClient(Permissions.SubscribeToWebhook).SendAsync(request);

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task DeletingOwnSubscriptionAnswers204AndRemovesIt()
    {
        var app = await ClientApp.CreateAsync(factory);
        var client = app.CreateWebhooksClient(factory);
        var id = (await app.SubscribeAsync(factory, $"https://a.example.com/{Guid.NewGuid():N}", "task-created")).GetProperty("id").GetString()!;

        await (await client.DeleteAsync($"/webhooks/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Empty((await client.GetJsonAsync("/webhooks")).EnumerateArray());
        await (await client.DeleteAsync($"/webhooks/{id}")).AssertNotFoundAsync();
    }

    [Fact]
    public async Task DeletingAnotherAppsSubscriptionIs404AndItSurvives()
    {
        var app = await ClientApp.CreateAsync(factory);
        var other = await ClientApp.CreateAsync(factory);
        var theirs = (await other.SubscribeAsync(factory, $"https://b.example.com/{Guid.NewGuid():N}", "task-created")).GetProperty("id").GetString()!;

        var response = await app.CreateWebhooksClient(factory).DeleteAsync($"/webhooks/{theirs}");

        await response.AssertNotFoundAsync();
        Assert.Equal([theirs], (await other.CreateWebhooksClient(factory).GetJsonAsync("/webhooks")).Values("id"));
    }

    [Fact]
    public async Task DeletingAnUnknownSubscriptionIs404()
    {
        var app = await ClientApp.CreateAsync(factory);

        var response = await app.CreateWebhooksClient(factory).DeleteAsync($"/webhooks/{Guid.NewGuid()}");

        await response.AssertNotFoundAsync();
    }

    [Fact]
    public async Task DeletingWithAWrongSecretIs401AndKeepsTheSubscription()
    {
        var app = await ClientApp.CreateAsync(factory);
        var id = (await app.SubscribeAsync(factory, $"https://a.example.com/{Guid.NewGuid():N}", "task-created")).GetProperty("id").GetString()!;

        var response = await (app with { ApiSecret = "wrong" }).CreateWebhooksClient(factory).DeleteAsync($"/webhooks/{id}");

        await response.AssertProblemAsync(HttpStatusCode.Unauthorized);
        Assert.Equal([id], (await app.CreateWebhooksClient(factory).GetJsonAsync("/webhooks")).Values("id"));
    }

    [Theory]
    [InlineData("POST", "/webhooks/subscribe", """{"url": "https://hooks.example.com/{key}", "key": "task-created"}""")]
    [InlineData("GET", "/webhooks", null)]
    [InlineData("DELETE", "/webhooks/{key}", null)]
    public async Task WebhookEndpointsNeedPermission16010EvenWithValidCredentials(string method, string path, string? body)
    {
        var app = await ClientApp.CreateAsync(factory);
        var row = PermissionChecks.Row(method, path, body);

        await PermissionChecks.AssertRequiresAsync(factory, Permissions.SubscribeToWebhook, () => app.Sign(row()));
    }
}
