namespace TaskService.Connectors.Sqs;

/// <summary>Names of the message attributes TaskService writes.</summary>
public static class SqsAttributes
{
    /// <summary>The event id (outgoing messages).</summary>
    public const string EventId = "event-id";

    /// <summary>The event type, e.g. <c>task-created</c> (outgoing messages).</summary>
    public const string EventType = "event-type";

    /// <summary>Always <c>application/json</c> (outgoing messages).</summary>
    public const string ContentType = "content-type";

    /// <summary>Why a message was dead-lettered.</summary>
    public const string Error = "taskservice-error";

    /// <summary>The queue a dead-lettered message came from.</summary>
    public const string SourceQueue = "taskservice-source-queue";

    /// <summary>The SQS message id a dead-lettered message had in its queue.</summary>
    public const string SourceMessageId = "taskservice-source-message-id";
}
