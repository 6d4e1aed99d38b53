using System.Net;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using TaskService.Webhooks;

namespace TaskService.Api.Tests;

/// <summary>
/// The delivery log over HTTP: <c>GET /webhooks/{id}/deliveries</c>, <c>GET /webhooks/{id}/deliveries/{deliveryId}</c> and
/// <c>POST /webhooks/{id}/deliveries/{deliveryId}/redeliver</c>, each scoped to the calling client app.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WebhookDeliveryLogTests(TaskServiceApiFactory factory)
{
    private WebhookOptions Options => factory.Services.GetRequiredService<IOptions<WebhookOptions>>().Value;

    [Fact]
    public async Task AFailingReceiversAttemptsAreListedThenTheGivenUpDeliveryIsRedeliveredAndDelivered()
    {
        var app = await ClientApp.CreateAsync(factory);
        var key = TaskSeeding.NewKey("log");
        var failing = new StrongBox<bool>(true);
        await using var receiver = await WebhookReceiver.StartAsync(answer: (_, _) => new WebhookAnswer(failing.Value ? 503 : 204));
        var subscription = (await app.SubscribeAsync(factory, receiver.Url("/log"), "task-created")).GetProperty("id").GetString()!;
        using var hooks = app.CreateWebhooksClient(factory);
        try
        {
            await factory.CreateTasksAsync(new { key, name = "logged" });

            var failed = await Eventually.ReturnsAsync(
                () => hooks.GetJsonAsync($"/webhooks/{subscription}/deliveries"),
                rows => rows.GetArrayLength() == 1 && rows[0].GetProperty("status").GetString() == "failed",
                because: "the delivery is given up after the configured attempts");
            var original = failed[0];
            var originalId = original.GetProperty("id").GetString()!;
            var requests = (await receiver.ReceivedAsync()).Where(r => r.Text.Contains(key, StringComparison.Ordinal)).ToArray();
            Assert.Equal(Options.MaxAttempts, requests.Length);
            Assert.Equal(requests[0].EventId, original.GetProperty("eventId").GetString());

            Assert.Equal("task-created", original.GetProperty("eventType").GetString());
            Assert.Equal(app.Id, original.GetProperty("clientAppId").GetString());
            Assert.Equal(Options.MaxAttempts, original.GetProperty("attemptCount").GetInt32());
            Assert.Equal(503, original.GetProperty("lastStatusCode").GetInt32());
            Assert.Contains("503", original.GetProperty("lastError").GetString());
            Assert.False(original.TryGetProperty("nextAttemptAt", out _), "a given-up delivery has no next attempt");
            Assert.False(original.TryGetProperty("deliveredOn", out _));

            // Every attempt is listed with its status code; all but the last name when the next one was due.
            var detail = await hooks.GetJsonAsync($"/webhooks/{subscription}/deliveries/{originalId}");
            var attempts = detail.GetProperty("attempts").EnumerateArray().ToArray();
            Assert.Equal(Enumerable.Range(1, Options.MaxAttempts), attempts.Select(a => a.GetProperty("attempt").GetInt32()));
            Assert.All(attempts, a => Assert.Equal(503, a.GetProperty("statusCode").GetInt32()));
            Assert.All(attempts, a => Assert.Contains("503", a.GetProperty("error").GetString()));
            Assert.All(attempts[..^1], a => Assert.True(a.TryGetProperty("nextAttemptAt", out _), a.ToString()));
            Assert.False(attempts[^1].TryGetProperty("nextAttemptAt", out _), "the last attempt gave the delivery up");
            Assert.True(attempts.Zip(attempts.Skip(1)).All(p => p.First.GetProperty("attemptedOn").GetDateTimeOffset() <= p.Second.GetProperty("attemptedOn").GetDateTimeOffset()));
            Assert.Equal(1, (await hooks.GetJsonAsync($"/webhooks/{subscription}/deliveries?{JsonApi.Filter(new { where = new { status = "failed" } })}")).GetArrayLength());
            Assert.Equal(0, (await hooks.GetJsonAsync($"/webhooks/{subscription}/deliveries?{JsonApi.Filter(new { where = new { status = "delivered" } })}")).GetArrayLength());

            failing.Value = false;
            var accepted = await hooks.PostAsync($"/webhooks/{subscription}/deliveries/{originalId}/redeliver", null);
            var redelivery = await accepted.ReadJsonAsync(HttpStatusCode.Accepted);
            var redeliveryId = redelivery.GetProperty("id").GetString()!;
            Assert.NotEqual(originalId, redeliveryId);
            Assert.Equal(originalId, redelivery.GetProperty("redeliveryOf").GetString());
            Assert.Equal(original.GetProperty("eventId").GetString(), redelivery.GetProperty("eventId").GetString());
            Assert.Equal($"/webhooks/{subscription}/deliveries/{redeliveryId}", accepted.Headers.Location?.OriginalString);

            var delivered = await Eventually.ReturnsAsync(
                () => hooks.GetJsonAsync($"/webhooks/{subscription}/deliveries/{redeliveryId}"),
                d => d.GetProperty("status").GetString() == "delivered",
                because: "the redelivery reaches the receiver, which now answers 204");
            Assert.Equal(1, delivered.GetProperty("attempts").GetArrayLength());
            Assert.Equal(1, delivered.GetProperty("attempts")[0].GetProperty("attempt").GetInt32());
            Assert.Equal(204, delivered.GetProperty("attempts")[0].GetProperty("statusCode").GetInt32());
            Assert.True(delivered.TryGetProperty("deliveredOn", out _));
            var resent = (await receiver.ReceivedAsync()).Where(r => r.Text.Contains(key, StringComparison.Ordinal)).ToArray();
            Assert.Equal(Options.MaxAttempts + 1, resent.Length);
            Assert.Equal(resent[0].Text, resent[^1].Text);

            // Newest first; the original stays as it was.
            var log = await hooks.GetJsonAsync($"/webhooks/{subscription}/deliveries");
            Assert.Equal([redeliveryId, originalId], log.Values("id"));
            Assert.Equal(["delivered", "failed"], log.Values("status"));
        }
        finally
        {
            using var _ = await hooks.DeleteAsync($"/webhooks/{subscription}");
        }
    }

    [Fact]
    public async Task ManyEventsToOneSubscriptionArriveOnceAndAreLoggedInTheOrderTheyWereProduced()
    {
        await using var scope = await DeliveryScope.StartAsync(factory);
        var path = DeliveryScope.NewPath("log-ordered");
        var subscription = await scope.SubscribeAsync(path);
        var key = TaskSeeding.NewKey("log-ordered");
        var ids = new List<string>();
        for (var i = 0; i < 40; i++)
        {
            ids.AddRange(await factory.CreateTasksAsync(new { key, name = $"ordered {i}" }));
        }

        var receipts = await Eventually.ReturnsAsync(
            () => scope.Receiver.ReceivedForAsync(path, key), r => r.Count >= ids.Count, TimeSpan.FromSeconds(30), "every task-created arrives");
        Assert.All(receipts, r => Assert.True(r.Valid, r.Body.ToString()));
        // Different tasks' events may overtake each other on the way (several are sent at once); each arrives once.
        var taskOfEvent = receipts.ToDictionary(r => r.EventId!, r => r.Payload.GetProperty("createdTasks")[0].GetProperty("id").GetString()!);
        Assert.Equal(ids.Order(StringComparer.Ordinal), taskOfEvent.Values.Order(StringComparer.Ordinal));

        var log = await Eventually.ReturnsAsync(
            () => scope.Webhooks.GetJsonAsync($"/webhooks/{subscription}/deliveries?{JsonApi.Filter(new { order = new[] { "sequence ASC" }, limit = 1000 })}"),
            rows => rows.GetArrayLength() == ids.Count && rows.EnumerateArray().All(r => r.GetProperty("status").GetString() == "delivered"),
            because: "every delivery is logged as delivered");
        Assert.Equal(ids, log.Values("eventId").Select(e => taskOfEvent[e!]));
        Assert.All(log.EnumerateArray(), r => Assert.Equal(1, r.GetProperty("attemptCount").GetInt32()));
        var sequences = log.EnumerateArray().Select(r => r.GetProperty("sequence").GetInt64()).ToArray();
        Assert.Equal(sequences.Order(), sequences);

        // Without an order the newest comes first; paging with limit and skip.
        var newest = await scope.Webhooks.GetJsonAsync($"/webhooks/{subscription}/deliveries?{JsonApi.Filter(new { limit = 5, skip = 1 })}");
        Assert.Equal(log.Values("eventId").Reverse().Skip(1).Take(5), newest.Values("eventId"));
        var byEvent = await scope.Webhooks.GetJsonAsync($"/webhooks/{subscription}/deliveries?{JsonApi.Filter(new { where = new { eventId = log[3].GetProperty("eventId").GetString() }, include = new[] { "attempts" } })}");
        Assert.Equal(204, Assert.Single(byEvent.EnumerateArray()).GetProperty("attempts")[0].GetProperty("statusCode").GetInt32());
    }

    [Fact]
    public async Task RedeliveringADeliveryThatIsStillPendingIsAConflictAndAddsNoDelivery()
    {
        await using var scope = await DeliveryScope.StartAsync(factory);
        var path = DeliveryScope.NewPath("pending-redeliver");
        await scope.Receiver.SetBehaviourAsync(path, hang: true);
        var subscription = await scope.SubscribeAsync(path);

        await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("pending-redeliver"), name = "pending" });
        var rows = await Eventually.ReturnsAsync(
            () => scope.Webhooks.GetJsonAsync($"/webhooks/{subscription}/deliveries"),
            r => r.GetArrayLength() == 1 && r[0].GetProperty("status").GetString() == "pending");

        var conflict = await (await scope.Webhooks.PostAsync($"/webhooks/{subscription}/deliveries/{rows[0].GetProperty("id").GetString()}/redeliver", null))
            .AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("still pending", conflict.GetProperty("detail").GetString());
        Assert.Equal(1, (await scope.Webhooks.GetJsonAsync($"/webhooks/{subscription}/deliveries")).GetArrayLength());
    }

    [Fact]
    public async Task ADeliveryOfASubscriptionDisabledByGoneIsListedAsFailedAndRedeliveringItIsAConflict()
    {
        var app = await ClientApp.CreateAsync(factory);
        await using var receiver = await WebhookReceiver.StartAsync(answer: (_, _) => new WebhookAnswer(410));
        var subscription = (await app.SubscribeAsync(factory, receiver.Url("/gone"), "task-created")).GetProperty("id").GetString()!;
        using var hooks = app.CreateWebhooksClient(factory);
        try
        {
            await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("gone-log"), name = "gone" });

            var rows = await Eventually.ReturnsAsync(
                () => hooks.GetJsonAsync($"/webhooks/{subscription}/deliveries"),
                r => r.GetArrayLength() == 1 && r[0].GetProperty("status").GetString() == "failed");
            Assert.Equal(410, rows[0].GetProperty("lastStatusCode").GetInt32());
            var conflict = await (await hooks.PostAsync($"/webhooks/{subscription}/deliveries/{rows[0].GetProperty("id").GetString()}/redeliver", null))
                .AssertProblemAsync(HttpStatusCode.Conflict);
            Assert.Contains("disabled", conflict.GetProperty("detail").GetString());
            Assert.Single(await receiver.ReceivedAsync());
        }
        finally
        {
            using var _ = await hooks.DeleteAsync($"/webhooks/{subscription}");
        }
    }

    [Fact]
    public async Task AnotherClientAppsSubscriptionAndDeliveriesAreNotFound()
    {
        var owner = await ClientApp.CreateAsync(factory);
        var other = await ClientApp.CreateAsync(factory);
        await using var receiver = await WebhookReceiver.StartAsync(answer: (_, _) => new WebhookAnswer(204));
        var subscription = (await owner.SubscribeAsync(factory, receiver.Url("/scoped"), "task-created")).GetProperty("id").GetString()!;
        using var ownerHooks = owner.CreateWebhooksClient(factory);
        using var otherHooks = other.CreateWebhooksClient(factory);
        try
        {
            var key = TaskSeeding.NewKey("scoped");
            await factory.CreateTasksAsync(new { key, name = "scoped" });
            var rows = await Eventually.ReturnsAsync(
                () => ownerHooks.GetJsonAsync($"/webhooks/{subscription}/deliveries?{JsonApi.Filter(new { where = new { status = "delivered" } })}"),
                r => r.GetArrayLength() > 0);
            var deliveryId = rows[0].GetProperty("id").GetString()!;
            var before = (await receiver.ReceivedAsync()).Count;

            await (await otherHooks.GetAsync($"/webhooks/{subscription}/deliveries")).AssertNotFoundAsync();
            await (await otherHooks.GetAsync($"/webhooks/{subscription}/deliveries/{deliveryId}")).AssertNotFoundAsync();
            await (await otherHooks.PostAsync($"/webhooks/{subscription}/deliveries/{deliveryId}/redeliver", null)).AssertNotFoundAsync();
            Assert.Equal(before, (await receiver.ReceivedAsync()).Count);

            // The owner: an unknown delivery is 404; a bad filter is a 400 naming it; no credentials is 401.
            await (await ownerHooks.GetAsync($"/webhooks/{subscription}/deliveries/nosuch")).AssertNotFoundAsync();
            await (await ownerHooks.PostAsync($"/webhooks/{subscription}/deliveries/nosuch/redeliver", null)).AssertNotFoundAsync();
            await (await ownerHooks.GetAsync($"/webhooks/{subscription}/deliveries?{JsonApi.Filter(new { where = new { nosuch = 1 } })}")).AssertBadRequestNamingAsync("filter");
            await (await ownerHooks.GetAsync($"/webhooks/{subscription}/deliveries?{JsonApi.Filter(new { limit = 5000 })}")).AssertBadRequestNamingAsync("filter");
            using var noCredentials = factory.CreateClient(Gateway.Auth.Permissions.SubscribeToWebhook);
            await (await noCredentials.GetAsync($"/webhooks/{subscription}/deliveries")).AssertProblemAsync(HttpStatusCode.Unauthorized);
            Assert.Equal(1, (await ownerHooks.GetJsonAsync($"/webhooks/{subscription}/deliveries")).GetArrayLength());
        }
        finally
        {
            using var _ = await ownerHooks.DeleteAsync($"/webhooks/{subscription}");
        }
    }
}
