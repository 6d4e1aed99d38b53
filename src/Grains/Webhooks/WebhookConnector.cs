using TaskService.Events;
using TaskService.Outgoing;
using TaskService.Storage;

namespace TaskService.Webhooks;

/// <summary>The HTTP outgoing connector: queues each event on every active subscription whose key equals the event key.</summary>
public sealed class WebhookConnector(ITaskServiceStore store, IGrainFactory grains) : IOutgoingConnector
{
    public string Name => "webhooks";

    public async Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default)
    {
        var subscriptions = await store.GetActiveSubscriptionsAsync(outgoingEvent.Key, cancellationToken);
        await Task.WhenAll(subscriptions.Select(s => grains.GetGrain<IWebhookSubscriptionGrain>(s.Id).EnqueueAsync(outgoingEvent)));
    }

    /// <summary>One call (and one queue write) per subscription for the whole batch, each subscription's events in batch order.</summary>
    public async Task PublishManyAsync(IReadOnlyList<OutgoingEvent> outgoingEvents, CancellationToken cancellationToken = default)
    {
        var queues = new Dictionary<string, List<OutgoingEvent>>(StringComparer.Ordinal);
        foreach (var group in outgoingEvents.GroupBy(e => e.Key, StringComparer.Ordinal))
        {
            foreach (var subscription in await store.GetActiveSubscriptionsAsync(group.Key, cancellationToken))
            {
                if (!queues.TryGetValue(subscription.Id, out var queue))
                {
                    queues[subscription.Id] = queue = [];
                }

                queue.AddRange(group);
            }
        }

        // Batch order is production order; events of different keys for one subscription are put back in that order.
        var position = new Dictionary<OutgoingEvent, int>(ReferenceEqualityComparer.Instance);
        for (var index = 0; index < outgoingEvents.Count; index++)
        {
            position[outgoingEvents[index]] = index;
        }

        await Task.WhenAll(queues.Select(q =>
            grains.GetGrain<IWebhookSubscriptionGrain>(q.Key).EnqueueManyAsync([.. q.Value.OrderBy(e => position[e])])));
    }
}
