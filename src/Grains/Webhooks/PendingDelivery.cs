using TaskService.Events;

namespace TaskService.Webhooks;

/// <summary>An event waiting to be delivered to one subscription.</summary>
[GenerateSerializer, Alias("TaskService.PendingDelivery")]
public sealed class PendingDelivery
{
    [Id(0)] public required OutgoingEvent Event { get; init; }

    /// <summary>Attempts made so far.</summary>
    [Id(1)] public int Attempts { get; set; }

    [Id(2)] public DateTimeOffset NextAttemptAt { get; set; }
}
