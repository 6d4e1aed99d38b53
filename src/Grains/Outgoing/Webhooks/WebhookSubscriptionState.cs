namespace TaskService.Webhooks;

/// <summary>
/// The delivery queue as grain state, before deliveries became rows of the delivery log. Kept only so that a queue stored
/// by an earlier version is read once when its subscription activates, moved to the delivery log and cleared.
/// </summary>
[GenerateSerializer, Alias("TaskService.WebhookSubscriptionState")]
public sealed class WebhookSubscriptionState
{
    [Id(0)] public List<PendingDelivery> Queue { get; set; } = [];

    [Id(1)] public long Delivered { get; set; }

    [Id(2)] public long Failed { get; set; }

    [Id(3)] public string? LastError { get; set; }
}
