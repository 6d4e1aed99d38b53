using TaskService.Webhooks;

namespace TaskService.Storage;

/// <summary>
/// Where a delivery stands after an attempt (or after it was given up without one): the new values of its row, and the
/// attempt's own row when one was made.
/// </summary>
public sealed record WebhookDeliveryUpdate
{
    public required string DeliveryId { get; init; }

    public WebhookDeliveryStatus Status { get; init; }

    public int Attempts { get; init; }

    public DateTimeOffset? NextAttemptAt { get; init; }

    public int? LastStatusCode { get; init; }

    public string? LastError { get; init; }

    public int? LastDurationMs { get; init; }

    public DateTimeOffset ModifiedOn { get; init; }

    public DateTimeOffset? DeliveredOn { get; init; }

    /// <summary>The attempt made, or null when the delivery was given up without one (its subscription went away).</summary>
    public WebhookDeliveryAttemptRecord? Attempt { get; init; }
}
