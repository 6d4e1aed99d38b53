using Orleans.Concurrency;
using TaskService.Events;

namespace TaskService.Webhooks;

/// <summary>One per webhook subscription: owns it and delivers its events, independently of every other subscription.</summary>
[Alias("TaskService.IWebhookSubscriptionGrain")]
public interface IWebhookSubscriptionGrain : IGrainWithStringKey
{
    [Alias("CreateAsync")]
    Task<WebhookSubscriptionRecord> CreateAsync(string url, string key, string clientAppId);

    [Alias("GetAsync")]
    Task<WebhookSubscriptionRecord?> GetAsync();

    [Alias("DeleteAsync")]
    Task DeleteAsync();

    /// <summary>
    /// Queues the event for delivery and returns once the queue is written; delivery retries in the background. Calls interleave,
    /// so deliveries go on while the queue is written and concurrent calls share one write.
    /// </summary>
    [Alias("EnqueueAsync"), AlwaysInterleave]
    Task EnqueueAsync(OutgoingEvent outgoingEvent);

    /// <summary>Queues the events, in the given order, as <see cref="EnqueueAsync"/> does.</summary>
    [Alias("EnqueueManyAsync"), AlwaysInterleave]
    Task EnqueueManyAsync(IReadOnlyList<OutgoingEvent> outgoingEvents);

    [Alias("GetDeliveryStatsAsync")]
    Task<WebhookDeliveryStats> GetDeliveryStatsAsync();
}
