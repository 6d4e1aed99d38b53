namespace TaskService.Webhooks;

/// <summary>What a subscription has delivered so far.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.WebhookDeliveryStats")]
public sealed record WebhookDeliveryStats
{
    [Id(0)] public int Pending { get; init; }

    [Id(1)] public long Delivered { get; init; }

    /// <summary>Deliveries given up after the configured attempts.</summary>
    [Id(2)] public long Failed { get; init; }

    [Id(3)] public string? LastError { get; init; }
}
