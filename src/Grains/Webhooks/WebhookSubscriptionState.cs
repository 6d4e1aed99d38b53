namespace TaskService.Webhooks;

/// <summary>The delivery queue of one subscription.</summary>
[GenerateSerializer, Alias("TaskService.WebhookSubscriptionState")]
public sealed class WebhookSubscriptionState
{
    [Id(0)] public List<PendingDelivery> Queue { get; set; } = [];

    [Id(1)] public long Delivered { get; set; }

    [Id(2)] public long Failed { get; set; }

    [Id(3)] public string? LastError { get; set; }
}
