using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using Orleans.Storage;
using TaskService.ClientApps;
using TaskService.Events;
using TaskService.Grains.Tests.Engine;
using TaskService.Outgoing;
using TaskService.Queries;
using TaskService.Security;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Webhooks;

namespace TaskService.Grains.Tests.Webhooks;

/// <summary>The delivery log on the in-memory store: rows and attempts, redelivery, the move of an old queue, and retention.</summary>
[Collection(ClusterCollection.Name)]
public sealed class WebhookDeliveryLogTests(ClusterFixture fixture)
{
    private ITaskServiceStore Store => fixture.SiloService<ITaskServiceStore>();

    [Fact]
    public async Task AnUndeliverableEventIsLoggedAsFailedWithItsAttemptAndARedeliveryStartsAtAttemptOne()
    {
        var (subscription, id, host) = await SubscribeAsync();
        ClusterFixture.HostNames.Names[host] = [IPAddress.Loopback];
        var outgoing = NewEvent();

        await subscription.EnqueueAsync(outgoing);
        await subscription.EnqueueAsync(outgoing);

        var failed = await Eventually.ReturnsAsync(() => Deliveries(id), rows => rows.Count == 1 && Status(rows[0]) == "failed");
        var row = failed[0];
        Assert.Equal(outgoing.Id, row.GetProperty("eventId").GetString());
        Assert.Equal("task-created", row.GetProperty("eventType").GetString());
        Assert.Equal(1, row.GetProperty("attemptCount").GetInt32());
        Assert.Contains("loopback", row.GetProperty("lastError").GetString(), StringComparison.Ordinal);
        var detail = await Detail(row.GetProperty("id").GetString()!);
        var attempt = Assert.Single(detail.GetProperty("attempts").EnumerateArray());
        Assert.Equal(1, attempt.GetProperty("attempt").GetInt32());
        Assert.False(attempt.TryGetProperty("statusCode", out _), "a refused address got no answer");
        Assert.Contains("loopback", attempt.GetProperty("error").GetString(), StringComparison.Ordinal);

        var redelivery = (await subscription.RedeliverAsync(row.GetProperty("id").GetString()!)).Value;

        Assert.NotNull(redelivery);
        Assert.Equal(row.GetProperty("id").GetString(), redelivery.RedeliveryOf);
        Assert.True(redelivery.Sequence > row.GetProperty("sequence").GetInt64());
        var both = await Eventually.ReturnsAsync(() => Deliveries(id), rows => rows.Count == 2 && rows.All(r => Status(r) == "failed"));
        Assert.Equal(redelivery.Id, both[0].GetProperty("id").GetString());
        Assert.Equal(1, both[0].GetProperty("attemptCount").GetInt32());
        var stats = await subscription.GetDeliveryStatsAsync();
        Assert.Equal(2, stats.Failed);
        Assert.Equal(0, stats.Pending);
        Assert.Equal(TaskService.Errors.TaskServiceErrorKind.NotFound, (await subscription.RedeliverAsync("nosuch")).Problem?.Kind);
        await subscription.DeleteAsync();
        Assert.Empty(await Deliveries(id));
    }

    [Fact]
    public async Task AQueueStoredByAnEarlierVersionIsMovedToTheDeliveryLogWhenItsSubscriptionActivates()
    {
        var host = $"legacy-{Guid.NewGuid():N}.test";
        ClusterFixture.HostNames.Names[host] = [IPAddress.Loopback];
        var appId = await AddAppAsync();
        var id = $"sub-{Guid.NewGuid():N}";
        await Store.SaveSubscriptionAsync(new WebhookSubscriptionRecord
        {
            Id = id,
            Url = $"http://{host}/hook",
            Key = "task-created",
            ClientAppId = appId,
            Status = WebhookSubscriptionStatus.Active,
        });
        var subscription = fixture.Grains.GetGrain<IWebhookSubscriptionGrain>(id);
        var storage = fixture.SiloService<IServiceProvider>().GetRequiredKeyedService<IGrainStorage>(WebhookSubscriptionGrain.StorageName);
        var queued = new[] { NewEvent(), NewEvent() };
        var state = new GrainState<WebhookSubscriptionState>(new WebhookSubscriptionState
        {
            Queue = [.. queued.Select(e => new PendingDelivery { Event = e, Attempts = 2, NextAttemptAt = DateTimeOffset.UtcNow })],
        });
        await storage.WriteStateAsync("deliveries", subscription.GetGrainId(), state);

        await subscription.GetAsync();

        var moved = await Eventually.ReturnsAsync(() => Deliveries(id), rows => rows.Count == 2 && rows.All(r => Status(r) == "failed"));
        Assert.Equal(queued.Select(e => e.Id).Reverse(), moved.Select(r => r.GetProperty("eventId").GetString()));
        Assert.All(moved, r => Assert.Equal(3, r.GetProperty("attemptCount").GetInt32()));
        var cleared = new GrainState<WebhookSubscriptionState>(new WebhookSubscriptionState());
        await storage.ReadStateAsync("deliveries", subscription.GetGrainId(), cleared);
        Assert.False(cleared.RecordExists, "the old queue is cleared once moved");
        await subscription.DeleteAsync();
    }

    [Fact]
    public async Task FinishedDeliveriesPastTheRetentionAreSweptWithTheirAttemptsAndPendingOnesStay()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new InMemoryTaskServiceStore(clock);
        var subscription = new WebhookSubscriptionRecord { Id = "retained", Url = "http://example.test/", Key = "task-created", ClientAppId = "app" };
        var appended = await store.AppendDeliveriesAsync([.. Enumerable.Range(0, 3).Select(_ => QueuedDelivery.First(subscription, NewEvent(), clock.GetUtcNow()))]);
        await store.RecordDeliveryUpdatesAsync(
        [
            Finished(appended[0], WebhookDeliveryStatus.Delivered, clock.GetUtcNow(), 204),
            Finished(appended[1], WebhookDeliveryStatus.Failed, clock.GetUtcNow(), 500),
        ]);
        var sweeper = new UnroutedEventSweeper(
            store,
            fixture.Grains,
            fixture.SiloService<RoutingBacklog>(),
            Microsoft.Extensions.Options.Options.Create(new EventRoutingOptions()),
            Microsoft.Extensions.Options.Options.Create(new WebhookOptions { DeliveryLogRetention = TimeSpan.FromDays(7) }),
            Microsoft.Extensions.Options.Options.Create(new OutboxOptions()),
            clock,
            fixture.SiloService<IHostApplicationLifetime>(),
            NullLogger<UnroutedEventSweeper>.Instance);

        clock.Advance(TimeSpan.FromDays(7) - TimeSpan.FromMinutes(1));
        await sweeper.SweepDeliveriesAsync(CancellationToken.None);
        Assert.Equal(3, (await store.ListAsync(EntityKind.WebhookDelivery, QueryFilter.Empty)).Count);
        Assert.Equal(2, (await store.ListAsync(EntityKind.WebhookDeliveryAttempt, QueryFilter.Empty)).Count);

        clock.Advance(TimeSpan.FromMinutes(2));
        await sweeper.SweepDeliveriesAsync(CancellationToken.None);

        var left = Assert.Single(await store.ListAsync(EntityKind.WebhookDelivery, QueryFilter.Empty));
        Assert.Equal(appended[2].Id, left.GetProperty("id").GetString());
        Assert.Equal("pending", Status(left));
        Assert.Empty(await store.ListAsync(EntityKind.WebhookDeliveryAttempt, QueryFilter.Empty));
    }

    [Fact]
    public async Task DispatchedOutboxEntriesPastTheOutboxRetentionAreSweptAndTheirIdsCanComeAgain()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var store = new InMemoryTaskServiceStore(clock);
        var dispatched = NewEvent();
        var sequences = (await store.AppendClaimedOutboxAsync([dispatched], TimeSpan.FromMinutes(1))).Select(e => e.Sequence).ToArray();
        await store.MarkDispatchedAsync(sequences);
        var sweeper = new UnroutedEventSweeper(
            store,
            fixture.Grains,
            fixture.SiloService<RoutingBacklog>(),
            Microsoft.Extensions.Options.Options.Create(new EventRoutingOptions()),
            Microsoft.Extensions.Options.Options.Create(new WebhookOptions()),
            Microsoft.Extensions.Options.Options.Create(new OutboxOptions { Retention = TimeSpan.FromDays(2) }),
            clock,
            fixture.SiloService<IHostApplicationLifetime>(),
            NullLogger<UnroutedEventSweeper>.Instance);

        clock.Advance(TimeSpan.FromDays(2) - TimeSpan.FromMinutes(1));
        await sweeper.SweepDeliveriesAsync(CancellationToken.None);
        Assert.Empty(await store.AppendClaimedOutboxAsync([dispatched], TimeSpan.FromMinutes(1)));

        clock.Advance(TimeSpan.FromMinutes(2));
        await sweeper.SweepDeliveriesAsync(CancellationToken.None);
        Assert.Equal(dispatched.Id, Assert.Single(await store.AppendClaimedOutboxAsync([dispatched], TimeSpan.FromMinutes(1))).Event.Id);
    }

    private static WebhookDeliveryUpdate Finished(QueuedDelivery delivery, WebhookDeliveryStatus status, DateTimeOffset at, int code) => new()
    {
        DeliveryId = delivery.Id,
        Status = status,
        Attempts = 1,
        LastStatusCode = code,
        ModifiedOn = at,
        DeliveredOn = status == WebhookDeliveryStatus.Delivered ? at : null,
        Attempt = new WebhookDeliveryAttemptRecord
        {
            Id = WebhookDeliveryAttemptRecord.IdOf(delivery.Id, 1),
            DeliveryId = delivery.Id,
            SubscriptionId = delivery.SubscriptionId,
            Attempt = 1,
            AttemptedOn = at,
            StatusCode = code,
        },
    };

    private async Task<string> AddAppAsync()
    {
        var appId = $"app-{Guid.NewGuid():N}";
        await Store.TryAddClientAppAsync(new ClientAppRow(
            new ClientAppRecord { Id = appId, Name = appId, ApiKey = $"key-{appId}", CreatedOn = DateTimeOffset.UtcNow },
            fixture.SiloService<ISecretProtector>().Protect("secret")));
        return appId;
    }

    [Fact]
    public async Task EventsAReceiverAnswersAtOnceAreEachSentOnceEvenWhenManyGoTogether()
    {
        // Every attempt here finishes before its first await, inside the loop that starts the others: none may start twice.
        var (subscription, id, _) = await SubscribeAsync(InstantReceiver.Host);
        var events = Enumerable.Range(0, 40)
            .Select(i => NewEvent() with { Payload = JsonElementFactory.Parse($$"""{"taskId": "instant-{{i}}-{{Guid.NewGuid():N}}"}""") })
            .ToArray();

        await subscription.EnqueueManyAsync(events);

        var rows = await Eventually.ReturnsAsync(() => Deliveries(id), r => r.Count == events.Length && r.All(row => Status(row) == "delivered"));
        Assert.All(rows, row => Assert.Equal(1, row.GetProperty("attemptCount").GetInt32()));
        Assert.All(events, e => Assert.Equal(1, InstantReceiver.Received.GetValueOrDefault(e.Id)));
        await subscription.DeleteAsync();
    }

    private async Task<(IWebhookSubscriptionGrain Grain, string Id, string Host)> SubscribeAsync(string? host = null)
    {
        host ??= $"log-{Guid.NewGuid():N}.test";
        ClusterFixture.HostNames.Names[host] = [IPAddress.Parse("93.184.216.34")];
        var appId = await AddAppAsync();
        var id = $"sub-{Guid.NewGuid():N}";
        var subscription = fixture.Grains.GetGrain<IWebhookSubscriptionGrain>(id);
        await subscription.CreateAsync($"http://{host}/hook", "task-created", appId);
        return (subscription, id, host);
    }

    private async Task<IReadOnlyList<JsonElement>> Deliveries(string subscriptionId) =>
        await fixture.Grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.WebhookDelivery, new QueryFilter
        {
            Where = new ConditionNode(["subscriptionId"], FilterOperator.Eq, JsonElementFactory.From(subscriptionId)),
        });

    private async Task<JsonElement> Detail(string deliveryId) =>
        (await fixture.Grains.GetGrain<IQueryGrain>(0).GetFilteredAsync(EntityKind.WebhookDelivery, deliveryId,
            new QueryFilter { Include = [new IncludeFilter { Relation = "attempts" }] }))!.Value;

    private static string? Status(JsonElement row) => row.GetProperty("status").GetString();

    private static OutgoingEvent NewEvent() => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Key = "task-created",
        Payload = JsonElementFactory.Parse("""{"b": 1, "a": [1.0, "x"]}"""),
        Timestamp = 1,
    };
}
