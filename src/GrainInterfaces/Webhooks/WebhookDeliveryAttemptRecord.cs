namespace TaskService.Webhooks;

/// <summary>One attempt of a delivery: a row of <c>main.webhook_delivery_attempts</c>, listed under a delivery as <c>attempts</c>.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.WebhookDeliveryAttemptRecord")]
public sealed record WebhookDeliveryAttemptRecord
{
    /// <summary><c>{deliveryId}/{attempt}</c>.</summary>
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string DeliveryId { get; init; }

    [Id(2)] public required string SubscriptionId { get; init; }

    /// <summary>1 for the first attempt of the delivery.</summary>
    [Id(3)] public int Attempt { get; init; }

    [Id(4)] public DateTimeOffset AttemptedOn { get; init; }

    /// <summary>The receiver's HTTP status; null when there was no answer (timeout, connection refused, address refused).</summary>
    [Id(5)] public int? StatusCode { get; init; }

    [Id(6)] public int DurationMs { get; init; }

    [Id(7)] public string? Error { get; init; }

    /// <summary>When the next attempt was scheduled; null when this attempt delivered it or it was given up.</summary>
    [Id(8)] public DateTimeOffset? NextAttemptAt { get; init; }

    public static string IdOf(string deliveryId, int attempt) =>
        $"{deliveryId}/{attempt.ToString(System.Globalization.CultureInfo.InvariantCulture)}";
}
