namespace TaskService.Common;

/// <summary>
/// Who the audit fields (<c>createdBy</c>, <c>modifiedBy</c>, <c>deletedBy</c>) name when no signed-in user made the change.
/// </summary>
public static class AuditUsers
{
    /// <summary>
    /// The service itself: tasks and user tasks that workflows create (the <c>create-tasks</c> command) and tasks that workflows
    /// complete (<c>end-task</c>). The original fills these with its configured system user in the same places.
    /// </summary>
    public const string System = "system";
}
