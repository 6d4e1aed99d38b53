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

    /// <summary>Queues the event for delivery and returns at once; delivery retries in the background.</summary>
    [Alias("EnqueueAsync")]
    Task EnqueueAsync(OutgoingEvent outgoingEvent);

    /// <summary>Queues the events, in the given order, with one write; returns at once; delivery retries in the background.</summary>
    [Alias("EnqueueManyAsync")]
    Task EnqueueManyAsync(IReadOnlyList<OutgoingEvent> outgoingEvents);

    [Alias("GetDeliveryStatsAsync")]
    Task<WebhookDeliveryStats> GetDeliveryStatsAsync();
}
