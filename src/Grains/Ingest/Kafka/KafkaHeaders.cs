namespace TaskService.Connectors.Kafka;

/// <summary>Header names TaskService writes on the messages it produces.</summary>
public static class KafkaHeaders
{
    /// <summary>On outgoing events: the event id, stable across retries, for receivers to deduplicate on.</summary>
    public const string EventId = "event-id";

    /// <summary>On outgoing events: the event type (<c>task-created</c>, <c>user-task-completed</c>, <c>task-completed</c>).</summary>
    public const string EventType = "event-type";

    /// <summary>On outgoing events: <c>application/json</c>.</summary>
    public const string ContentType = "content-type";

    /// <summary>On dead letters: <c>invalid-message</c> or <c>delivery-failed</c>.</summary>
    public const string DeadLetterReason = "dead-letter-reason";

    /// <summary>On dead letters: what went wrong, for a person to act on.</summary>
    public const string DeadLetterError = "dead-letter-error";

    /// <summary>On dead letters: where the message was read (topic, partition, offset, consumer group).</summary>
    public const string OriginTopic = "origin-topic";

    public const string OriginPartition = "origin-partition";

    public const string OriginOffset = "origin-offset";

    public const string OriginGroup = "origin-group";

    /// <summary>On dead letters: the original message timestamp, milliseconds since the epoch.</summary>
    public const string OriginTimestamp = "origin-timestamp";

    /// <summary>Values of <see cref="DeadLetterReason"/>.</summary>
    public const string ReasonInvalidMessage = "invalid-message";

    public const string ReasonDeliveryFailed = "delivery-failed";
}
