using System.Text.Json;
using TaskService.Events;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Webhooks;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// The webhook delivery log on PostgreSQL: a batch appended in one write, in order and once per delivery id; pending rows read
/// back in order with their event's text intact; outcomes and attempts written in one batch; stats, the due sweep, retention
/// and deletion with the subscription. The in-memory store answers the same sequence the same way.
/// </summary>
public sealed class DeliveryLogStoreTests : IAsyncLifetime
{
    private readonly ManualTimeProvider _time = new(DateTimeOffset.Parse("2026-01-02T03:04:05.123456Z", System.Globalization.CultureInfo.InvariantCulture));

    private static readonly WebhookSubscriptionRecord A = new() { Id = "sub-a", Url = "http://a.test/", Key = "task-created", ClientAppId = "app-1" };
    private static readonly WebhookSubscriptionRecord B = new() { Id = "sub-b", Url = "http://b.test/", Key = "task-created", ClientAppId = "app-2" };

    private StoreUnderTest _stores = null!;

    public async Task InitializeAsync() => _stores = await StoreUnderTest.CreateAsync(_time);

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [Fact]
    public async Task ABatchIsAppendedOnceInOrderWorkedOffInOrderAndItsOutcomesListedWithTheirAttempts()
    {
        OutgoingEvent[] events = [Outgoing("e1"), Outgoing("e2"), Outgoing("e3")];
        var now = _time.GetUtcNow();
        QueuedDelivery[] batch = [.. events.SelectMany(e => new[] { QueuedDelivery.First(A, e, now), QueuedDelivery.First(B, e, now) })];

        var added = await _stores.SameAnswerAsync(store => store.AppendDeliveriesAsync(batch));
        var again = await _stores.SameAnswerAsync(store => store.AppendDeliveriesAsync([batch[0], QueuedDelivery.First(A, Outgoing("e4"), now), batch[3]]));

        Assert.Equal(batch.Select(d => d.Id), added.Select(d => d.Id));
        Assert.Equal(Enumerable.Range(1, 6).Select(i => (long)i), added.Select(d => d.Sequence));
        Assert.True(again[0].Sequence > added[^1].Sequence);
        Assert.Equal(["e4"], again.Select(d => d.Event.Id));
        var pending = await _stores.SameAnswerAsync(store => store.GetPendingDeliveriesAsync(A.Id, 10));
        Assert.Equal(["e1", "e2", "e3", "e4"], pending.Select(d => d.Event.Id));
        Assert.Equal("""{"b":1,"a":[1.0,"x"],"n":"e1"}""", pending[0].Event.Payload.GetRawText().Replace(" ", "", StringComparison.Ordinal));
        Assert.Equal(JsonSerializer.Serialize(events[0], ContractJson.Options), JsonSerializer.Serialize(pending[0].Event, ContractJson.Options));
        Assert.Equal(2, (await _stores.SameAnswerAsync(store => store.GetPendingDeliveriesAsync(A.Id, 2))).Count);

        // One write: e1 delivered; e2 retried, then given up in the same batch (its row takes the last values).
        _time.Advance(TimeSpan.FromSeconds(1));
        var at = _time.GetUtcNow();
        await _stores.SameAnswerAsync(async store =>
        {
            await store.RecordDeliveryUpdatesAsync(
            [
                Update(pending[0], WebhookDeliveryStatus.Delivered, 1, at, 204, null, null),
                Update(pending[1], WebhookDeliveryStatus.Pending, 1, at, 503, "The receiver answered 503 Service Unavailable.", at.AddSeconds(2)),
                Update(pending[1], WebhookDeliveryStatus.Failed, 2, at.AddSeconds(2), null, "No answer within 10 s.", null),
            ]);
            return 0;
        });

        Assert.Equal(["e3", "e4"], (await _stores.SameAnswerAsync(store => store.GetPendingDeliveriesAsync(A.Id, 10))).Select(d => d.Event.Id));
        var stats = await _stores.SameAnswerAsync(store => store.GetDeliveryStatsAsync(A.Id));
        Assert.Equal(new WebhookDeliveryStats { Pending = 2, Delivered = 1, Failed = 1, LastError = "No answer within 10 s." }, stats);
        var failed = await _stores.SameAnswerAsync(store => store.GetDeliveryAsync(pending[1].Id));
        Assert.Equal(2, failed!.Attempts);

        var filter = new QueryFilter
        {
            Where = new ConditionNode(["subscriptionId"], FilterOperator.Eq, JsonElementFactory.From(A.Id)),
            Include = [new IncludeFilter { Relation = "attempts" }],
        };
        var listed = await new IncludeResolver(_stores.Store).ListAsync(EntityKind.WebhookDelivery, filter);
        var expected = await new IncludeResolver(_stores.Reference).ListAsync(EntityKind.WebhookDelivery, filter);
        Assert.Equal(expected.Select(r => r.GetRawText()), listed.Select(r => r.GetRawText()));
        Assert.Equal(["e4", "e3", "e2", "e1"], listed.Select(r => r.GetProperty("eventId").GetString()));
        var givenUp = listed[2];
        Assert.Equal("failed", givenUp.GetProperty("status").GetString());
        Assert.Equal(2, givenUp.GetProperty("attemptCount").GetInt32());
        Assert.Equal([503], givenUp.GetProperty("attempts").EnumerateArray().Where(a => a.TryGetProperty("statusCode", out _)).Select(a => a.GetProperty("statusCode").GetInt32()));
        Assert.Equal([1, 2], givenUp.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("attempt").GetInt32()));

        // The attempt that delivered e1 is listed like the others, from the delivery's own row: only e2's attempts have rows.
        var delivered = Assert.Single(listed[3].GetProperty("attempts").EnumerateArray());
        Assert.Equal(204, delivered.GetProperty("statusCode").GetInt32());
        Assert.Equal(WebhookDeliveryAttemptRecord.IdOf(pending[0].Id, 1), delivered.GetProperty("id").GetString());
        Assert.Equal(2L, await StoreTables.ScalarAsync<long>(_stores.DataSource, "SELECT count(*) FROM main.webhook_delivery_attempt_rows"));
        Assert.Equal(1L, await _stores.Store.CountAsync(EntityKind.WebhookDelivery, new ConditionNode(["status"], FilterOperator.Eq, JsonElementFactory.From("delivered"))));
    }

    [Fact]
    public async Task DueDeliveriesNameTheirSubscriptionsAndFinishedOnesAreDeletedAfterTheRetention()
    {
        var now = _time.GetUtcNow();
        var added = await _stores.SameAnswerAsync(store => store.AppendDeliveriesAsync(
            [QueuedDelivery.First(A, Outgoing("e1"), now), QueuedDelivery.First(A, Outgoing("e2"), now), QueuedDelivery.First(B, Outgoing("e1"), now)]));
        await _stores.SameAnswerAsync(async store =>
        {
            await store.RecordDeliveryUpdatesAsync(
            [
                Update(added[0], WebhookDeliveryStatus.Delivered, 1, now, 200, null, null),
                Update(added[2], WebhookDeliveryStatus.Pending, 1, now, 500, "The receiver answered 500 Internal Server Error.", now.AddMinutes(5)),
            ]);
            return 0;
        });

        Assert.Equal([A.Id], await _stores.SameAnswerAsync(store => store.GetSubscriptionsWithDueDeliveriesAsync(now.AddSeconds(1), 10)));
        Assert.Equal([A.Id, B.Id], (await _stores.SameAnswerAsync(store => store.GetSubscriptionsWithDueDeliveriesAsync(DateTimeOffset.MaxValue, 10))).Order());
        Assert.Empty(await _stores.SameAnswerAsync(store => store.GetSubscriptionsWithDueDeliveriesAsync(now.AddSeconds(-1), 10)));

        Assert.Equal(0, await _stores.SameAnswerAsync(store => store.PurgeDeliveryLogAsync(now, 100)));
        Assert.Equal(1, await _stores.SameAnswerAsync(store => store.PurgeDeliveryLogAsync(now.AddTicks(10), 100)));
        Assert.Equal(2, (await _stores.Store.ListAsync(EntityKind.WebhookDelivery, QueryFilter.Empty)).Count);
        Assert.Equal([added[2].Id], (await _stores.Store.ListAsync(EntityKind.WebhookDeliveryAttempt, QueryFilter.Empty)).Select(a => a.GetProperty("deliveryId").GetString()));

        await _stores.Store.DeleteSubscriptionAsync(B.Id);
        Assert.Equal(["e2"], (await _stores.Store.ListAsync(EntityKind.WebhookDelivery, QueryFilter.Empty)).Select(r => r.GetProperty("eventId").GetString()));
        Assert.Empty(await _stores.Store.ListAsync(EntityKind.WebhookDeliveryAttempt, QueryFilter.Empty));
    }

    private static WebhookDeliveryUpdate Update(QueuedDelivery delivery, WebhookDeliveryStatus status, int attempt, DateTimeOffset at, int? code, string? error, DateTimeOffset? next) => new()
    {
        DeliveryId = delivery.Id,
        Status = status,
        Attempts = attempt,
        NextAttemptAt = next,
        LastStatusCode = code,
        LastError = error,
        LastDurationMs = 12,
        ModifiedOn = at,
        DeliveredOn = status == WebhookDeliveryStatus.Delivered ? at : null,
        Attempt = new WebhookDeliveryAttemptRecord
        {
            Id = WebhookDeliveryAttemptRecord.IdOf(delivery.Id, attempt),
            DeliveryId = delivery.Id,
            SubscriptionId = delivery.SubscriptionId,
            Attempt = attempt,
            AttemptedOn = at,
            StatusCode = code,
            DurationMs = 12,
            Error = error,
            NextAttemptAt = next,
        },
    };

    private static OutgoingEvent Outgoing(string id) => new()
    {
        Id = id,
        Key = "task-created",
        Payload = JsonElementFactory.Parse($$"""{"b": 1, "a": [1.0, "x"], "n": "{{id}}"}"""),
        Timestamp = 1_700_000_000_000,
        TraceParent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    };
}
