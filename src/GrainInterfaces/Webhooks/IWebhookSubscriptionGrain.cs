using Orleans.Concurrency;
using TaskService.Errors;
using TaskService.Events;

namespace TaskService.Webhooks;

/// <summary>One per webhook subscription: owns it and delivers its events, independently of every other subscription.</summary>
[Alias("TaskService.IWebhookSubscriptionGrain")]
public interface IWebhookSubscriptionGrain : IGrainWithStringKey
{
    [Alias("CreateAsync")]
    Task<Outcome<WebhookSubscriptionRecord>> CreateAsync(string url, string key, string clientAppId);

    [Alias("GetAsync")]
    Task<WebhookSubscriptionRecord?> GetAsync();

    [Alias("DeleteAsync")]
    Task<Outcome> DeleteAsync();

    /// <summary>
    /// Appends the event to the subscription's deliveries (a row of the delivery log) and returns once the row is written;
    /// delivery retries in the background. An event appended before is not appended again. Calls interleave with deliveries.
    /// </summary>
    [Alias("EnqueueAsync"), AlwaysInterleave]
    Task EnqueueAsync(OutgoingEvent outgoingEvent);

    /// <summary>Queues the events, in the given order, as <see cref="EnqueueAsync"/> does.</summary>
    [Alias("EnqueueManyAsync"), AlwaysInterleave]
    Task EnqueueManyAsync(IReadOnlyList<OutgoingEvent> outgoingEvents);

    /// <summary>
    /// Takes deliveries already appended to the store for this subscription (the webhook connector appends a whole outbox batch
    /// for every subscription in one write, then calls this) and delivers them in sequence order. With none, it looks for
    /// pending rows in the store that it does not know of, as <see cref="ResumeAsync"/> does.
    /// </summary>
    [Alias("DeliverAsync"), AlwaysInterleave]
    Task DeliverAsync(IReadOnlyList<QueuedDelivery> deliveries);

    /// <summary>Wakes the subscription: an idle one reads its pending deliveries from the store and works them off.</summary>
    [Alias("ResumeAsync"), AlwaysInterleave]
    Task ResumeAsync();

    /// <summary>
    /// Queues a new delivery of the event of <paramref name="deliveryId"/> (delivered or given up, or pending) whose attempts
    /// start at 1. Not found when this subscription has no such delivery; a conflict when the subscription is not active.
    /// </summary>
    [Alias("RedeliverAsync")]
    Task<Outcome<WebhookDeliveryRecord>> RedeliverAsync(string deliveryId);

    /// <summary>Counts of the subscription's deliveries in the delivery log (so within its retention), and the last error.</summary>
    [Alias("GetDeliveryStatsAsync")]
    Task<WebhookDeliveryStats> GetDeliveryStatsAsync();
}
