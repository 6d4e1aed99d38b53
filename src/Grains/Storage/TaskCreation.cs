namespace TaskService.Storage;

/// <summary>
/// What <see cref="ITaskServiceStore.TryCreateTaskAsync(TaskService.Tasks.TaskRecord, TaskService.Tasks.TaskHistoryEntry, IReadOnlyList{TaskService.Events.OutgoingEvent}, TimeSpan?, IReadOnlyList{TaskService.Webhooks.QueuedDelivery}?, CancellationToken)"/>
/// did: whether the task (and with it its outgoing events) was written, and the outbox entries it added claimed.
/// </summary>
public sealed record TaskCreation(bool Created, IReadOnlyList<OutboxEntry> Claimed)
{
    /// <summary>The task's row was there: nothing was written.</summary>
    public static TaskCreation Existing { get; } = new(false, []);
}
