namespace TaskService.Connectors.Kafka;

/// <summary>What an outgoing message's key is.</summary>
public enum KafkaMessageKey
{
    /// <summary>The id of the task the event is about (<c>taskId</c>, <c>task.id</c> or the first of <c>createdTasks</c>); the event key when there is none.</summary>
    TaskId,

    /// <summary>The event type (<c>task-created</c>, ...).</summary>
    EventKey,

    /// <summary>The event id.</summary>
    EventId,
}
