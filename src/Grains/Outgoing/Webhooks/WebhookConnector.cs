using Microsoft.Extensions.Logging;
using TaskService.Events;
using TaskService.Outgoing;
using TaskService.Storage;

namespace TaskService.Webhooks;

/// <summary>
/// The HTTP outgoing connector: a delivery row of each event for every active subscription whose key equals the event key,
/// then those subscriptions are woken. The rows of an event this silo wrote claimed are appended in the transaction that wrote
/// it (<see cref="OutboxDispatcher.PrepareAsync"/> has them built here); those of an entry read from the outbox later are
/// appended when it is handed over.
/// </summary>
public sealed partial class WebhookConnector(ITaskServiceStore store, IGrainFactory grains, TimeProvider time, ILogger<WebhookConnector> logger) : IOutgoingConnector
{
    public string Name => "webhooks";

    public Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default) =>
        PublishManyAsync([outgoingEvent], cancellationToken);

    public Task PublishManyAsync(IReadOnlyList<OutgoingEvent> outgoingEvents, CancellationToken cancellationToken = default) =>
        HandOverAsync([], outgoingEvents, cancellationToken);

    /// <summary>
    /// Entries whose rows were appended with them go straight to their subscriptions; the others get theirs appended first, in
    /// one write for the batch, before the outbox marks the batch dispatched.
    /// </summary>
    public Task PublishEntriesAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken cancellationToken = default) =>
        HandOverAsync(
            [.. entries.SelectMany(e => e.Deliveries ?? [])],
            [.. entries.Where(e => e.Deliveries is null).Select(e => e.Event)],
            cancellationToken);

    /// <summary>
    /// The delivery rows of the events: one per event and active subscription of its key, in event order (production order).
    /// The one way rows are built, whether they are appended with their outbox entry or when it is handed over.
    /// </summary>
    public async ValueTask<IReadOnlyList<QueuedDelivery>> DeliveriesOfAsync(IReadOnlyList<OutgoingEvent> outgoingEvents, CancellationToken cancellationToken = default)
    {
        // Each key's subscriptions are read once; a batch is mostly of one key, which needs no table of them.
        var now = time.GetUtcNow();
        var rows = new List<QueuedDelivery>(outgoingEvents.Count);
        string? key = null;
        IReadOnlyList<WebhookSubscriptionRecord> subscriptions = [];
        Dictionary<string, IReadOnlyList<WebhookSubscriptionRecord>>? byKey = null;
        foreach (var outgoingEvent in outgoingEvents)
        {
            if (!string.Equals(outgoingEvent.Key, key, StringComparison.Ordinal))
            {
                if (key is not null)
                {
                    byKey ??= new(StringComparer.Ordinal);
                    byKey[key] = subscriptions;
                }

                key = outgoingEvent.Key;
                if (byKey is null || !byKey.TryGetValue(key, out subscriptions!))
                {
                    subscriptions = await store.GetActiveSubscriptionsAsync(key, cancellationToken);
                }
            }

            foreach (var subscription in subscriptions)
            {
                rows.Add(QueuedDelivery.First(subscription, outgoingEvent, now));
            }
        }

        return rows;
    }

    /// <summary>
    /// Appends the rows of <paramref name="toAppend"/> (one write for the whole batch: a row per event and subscription, in batch
    /// order), then hands each subscription its new rows, <paramref name="appended"/> with them, in sequence order. A hand-over
    /// that fails is harmless, as the rows are stored and the sweep wakes their subscription.
    /// </summary>
    private async Task HandOverAsync(IReadOnlyList<QueuedDelivery> appended, IReadOnlyList<OutgoingEvent> toAppend, CancellationToken cancellationToken)
    {
        var rows = toAppend.Count == 0 ? [] : await DeliveriesOfAsync(toAppend, cancellationToken);
        var added = rows.Count == 0 ? [] : await store.AppendDeliveriesAsync(rows, cancellationToken);
        var bySubscription = appended.Concat(added)
            .GroupBy(d => d.SubscriptionId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<QueuedDelivery>)[.. g.OrderBy(d => d.Sequence)], StringComparer.Ordinal);

        // A subscription without new rows (the batch was handed over before) is woken all the same: it may have missed them.
        var subscriptions = rows.Select(d => d.SubscriptionId).Concat(bySubscription.Keys).Distinct(StringComparer.Ordinal);
        await Task.WhenAll(subscriptions.Select(id => HandOverAsync(id, bySubscription.GetValueOrDefault(id) ?? [])));
    }

    private async Task HandOverAsync(string subscriptionId, IReadOnlyList<QueuedDelivery> deliveries)
    {
        try
        {
            await grains.GetGrain<IWebhookSubscriptionGrain>(subscriptionId).DeliverAsync(deliveries);
        }
        catch (Exception exception)
        {
            LogHandOverFailed(subscriptionId, deliveries.Count, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SubscriptionId} could not be handed {Count} new delivery(ies); they are stored, and the sweep wakes the subscription")]
    private partial void LogHandOverFailed(string subscriptionId, int count, Exception exception);
}
