namespace TaskService.Events;

/// <summary>The keys of the events TaskService publishes.</summary>
public static class OutgoingEventTypes
{
    public const string TaskCreated = "task-created";
    public const string TaskCompleted = "task-completed";
    public const string UserTaskCompleted = "user-task-completed";

    /// <summary>The <c>source</c> of every event TaskService publishes.</summary>
    public const string Source = "task-service";

    public static IReadOnlyList<string> All { get; } = [TaskCreated, TaskCompleted, UserTaskCompleted];
}
