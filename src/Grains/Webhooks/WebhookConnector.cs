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
}
