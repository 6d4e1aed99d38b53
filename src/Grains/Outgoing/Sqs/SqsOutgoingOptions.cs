namespace TaskService.Connectors.Sqs;

/// <summary>The outgoing side: the queue lifecycle events are sent to.</summary>
public sealed class SqsOutgoingOptions
{
    /// <summary>Whether lifecycle events are also sent to SQS (next to webhooks and the other connectors).</summary>
    public bool Enabled { get; set; }

    /// <summary>
    /// The queue: a name or a queue URL. On a FIFO queue (<c>.fifo</c>) each message's group is its task's id, so one task's events
    /// stay in order, and its deduplication id is the event id.
    /// </summary>
    public string? Queue { get; set; }
}
