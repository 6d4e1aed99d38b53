namespace TaskService.Webhooks;

/// <summary>
/// One event's delivery to one subscription, as the delivery log (<c>GET /webhooks/{id}/deliveries</c>) shows it. A row of
/// <c>main.webhook_deliveries</c>; its properties are declared in the order of that table's columns as the store reads them.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.WebhookDeliveryRecord")]
public sealed record WebhookDeliveryRecord
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string SubscriptionId { get; init; }

    [Id(2)] public required string ClientAppId { get; init; }

    /// <summary>The outgoing event's id (the body's <c>id</c>, the <c>webhook-id</c> header).</summary>
    [Id(3)] public required string EventId { get; init; }

    /// <summary>The outgoing event's key, for example <c>task-created</c>.</summary>
    [Id(4)] public required string EventType { get; init; }

    /// <summary>The order of deliveries: a subscription delivers its pending rows in ascending sequence.</summary>
    [Id(5)] public long Sequence { get; init; }

    [Id(6)] public WebhookDeliveryStatus Status { get; init; }

    /// <summary>Attempts made so far (the <c>attempts</c> relation lists them).</summary>
    [Id(7)] public int AttemptCount { get; init; }

    /// <summary>When the next attempt is due; null once delivered or given up.</summary>
    [Id(8)] public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The HTTP status of the last attempt; null when it got no answer (or none was made).</summary>
    [Id(9)] public int? LastStatusCode { get; init; }

    /// <summary>Why the last attempt failed, in words (never a stack trace).</summary>
    [Id(10)] public string? LastError { get; init; }

    [Id(11)] public int? LastDurationMs { get; init; }

    /// <summary>The delivery this one sends again, for a redelivery.</summary>
    [Id(12)] public string? RedeliveryOf { get; init; }

    [Id(13)] public DateTimeOffset CreatedOn { get; init; }

    [Id(14)] public DateTimeOffset ModifiedOn { get; init; }

    [Id(15)] public DateTimeOffset? DeliveredOn { get; init; }
}
