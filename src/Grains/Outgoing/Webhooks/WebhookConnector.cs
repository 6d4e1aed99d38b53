using Microsoft.Extensions.Logging;
using TaskService.Events;
using TaskService.Outgoing;
using TaskService.Storage;

namespace TaskService.Webhooks;

/// <summary>
/// The HTTP outgoing connector: appends a delivery of each event to every active subscription whose key equals the event key,
/// then wakes those subscriptions.
/// </summary>
public sealed partial class WebhookConnector(ITaskServiceStore store, IGrainFactory grains, TimeProvider time, ILogger<WebhookConnector> logger) : IOutgoingConnector
{
    public string Name => "webhooks";

    public Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default) =>
        PublishManyAsync([outgoingEvent], cancellationToken);

    /// <summary>
    /// One write for the whole batch: a row per event and subscription, in batch order (production order), appended before the
    /// outbox marks the batch dispatched. Then each subscription is handed its new rows; a hand-over that fails is harmless, as
    /// the rows are stored and the sweep wakes their subscription.
    /// </summary>
    public async Task PublishManyAsync(IReadOnlyList<OutgoingEvent> outgoingEvents, CancellationToken cancellationToken = default)
    {
        var subscriptionsByKey = new Dictionary<string, IReadOnlyList<WebhookSubscriptionRecord>>(StringComparer.Ordinal);
        foreach (var key in outgoingEvents.Select(e => e.Key).Distinct(StringComparer.Ordinal))
        {
            subscriptionsByKey[key] = await store.GetActiveSubscriptionsAsync(key, cancellationToken);
        }

        var now = time.GetUtcNow();
        var rows = new List<QueuedDelivery>();
        var subscriptions = new HashSet<string>(StringComparer.Ordinal);
        foreach (var outgoingEvent in outgoingEvents)
        {
            foreach (var subscription in subscriptionsByKey[outgoingEvent.Key])
            {
                rows.Add(QueuedDelivery.First(subscription, outgoingEvent, now));
                subscriptions.Add(subscription.Id);
            }
        }

        if (rows.Count == 0)
        {
            return;
        }

        var added = await store.AppendDeliveriesAsync(rows, cancellationToken);
        var bySubscription = added.GroupBy(d => d.SubscriptionId, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => (IReadOnlyList<QueuedDelivery>)[.. g], StringComparer.Ordinal);

        // A subscription without new rows (the batch was handed over before) is woken all the same: it may have missed them.
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
