using TaskService.Events;

namespace TaskService.Webhooks;

/// <summary>An event waiting in a queue stored by an earlier version (see <see cref="WebhookSubscriptionState"/>).</summary>
[GenerateSerializer, Alias("TaskService.PendingDelivery")]
public sealed class PendingDelivery
{
    [Id(0)] public required OutgoingEvent Event { get; init; }

    /// <summary>Attempts made so far.</summary>
    [Id(1)] public int Attempts { get; set; }

    [Id(2)] public DateTimeOffset NextAttemptAt { get; set; }
}
