namespace TaskService.Tasks;

/// <summary>The actions a <see cref="TaskHistoryEntry"/> records.</summary>
public static class TaskHistoryActions
{
    public const string Created = "created";
    public const string Updated = "updated";
    public const string StatusChanged = "status-changed";
    public const string UserTaskCreated = "user-task-created";
    public const string Claimed = "claimed";
    public const string Unclaimed = "unclaimed";
    public const string Assigned = "assigned";
    public const string Unassigned = "unassigned";
    public const string Completed = "completed";
    public const string Deleted = "deleted";

    /// <summary>Who changes made by the workflow engine (tasks and user tasks it creates, end-task) are recorded as.</summary>
    public const string WorkflowActor = "workflow";

    /// <summary>Who changes are recorded as when no signed-in user asked for them.</summary>
    public const string SystemActor = "system";
}
