using System.Text.Json;
using TaskService.Errors;

namespace TaskService.Tasks;

/// <summary>
/// One per task: the only writer of the task and its user tasks. <c>userId</c> is the signed-in user (the token's <c>sub</c>)
/// who asks for the change; it fills <c>modifiedBy</c>/<c>deletedBy</c>, and is null when the service itself acts.
/// Methods a user drives answer an <see cref="Outcome{T}"/>: a missing task or user task, a conflict with the current state, a
/// refused caller or invalid input come back as a <see cref="Problem"/>. The workflow's own calls (attach, add user tasks, end)
/// throw instead, because for them such a failure is unexpected.
/// </summary>
[Alias("TaskService.ITaskGrain")]
public interface ITaskGrain : IGrainWithStringKey
{
    /// <summary>Creates the task; creating it again returns the existing task unchanged.</summary>
    [Alias("CreateAsync")]
    Task<TaskRecord> CreateAsync(NewTask task);

    /// <summary>
    /// Creates the task as <see cref="CreateAsync(NewTask)"/> does and, when it writes it, writes <paramref name="taskCreated"/> (with
    /// this task as the last of its tasks) in the same transaction. A task that was there already is returned as it is, without
    /// the event.
    /// </summary>
    [Alias("CreateWithEventAsync")]
    Task<TaskWrite> CreateAsync(NewTask task, TaskCreatedEvent? taskCreated);

    /// <summary>The task, or null when it does not exist.</summary>
    [Alias("GetAsync")]
    Task<TaskRecord?> GetAsync();

    [Alias("GetUserTasksAsync")]
    Task<IReadOnlyList<UserTaskRecord>> GetUserTasksAsync();

    /// <summary>Links the task to its workflow instance and records the instance's pending user tasks.</summary>
    [Alias("AttachWorkflowAsync")]
    Task<TaskRecord> AttachWorkflowAsync(string workflowInstanceId, IReadOnlyList<NewUserTask> pendingUserTasks);

    /// <summary>
    /// Links the task to its workflow instance as <see cref="AttachWorkflowAsync(string, IReadOnlyList{NewUserTask})"/> does, and
    /// writes <paramref name="taskCreated"/> (with this task, as attached, as the last of its tasks) in the same transaction.
    /// </summary>
    [Alias("AttachWorkflowWithEventAsync")]
    Task<TaskWrite> AttachWorkflowAsync(string workflowInstanceId, IReadOnlyList<NewUserTask> pendingUserTasks, TaskCreatedEvent? taskCreated);

    /// <summary>Records user tasks the task's workflow reached; ones already known are ignored.</summary>
    [Alias("AddUserTasksAsync")]
    Task AddUserTasksAsync(IReadOnlyList<NewUserTask> pendingUserTasks);

    /// <summary>Applies a partial update. Completing a task this way is refused.</summary>
    [Alias("UpdateAsync")]
    Task<Outcome<TaskRecord>> UpdateAsync(TaskUpdate update, string? userId = null);

    /// <summary>Completes the task (the <c>end-task</c> command) and publishes <c>task-completed</c> once.</summary>
    [Alias("EndAsync")]
    Task<TaskRecord> EndAsync();

    /// <summary>
    /// Completes one of this task's pending user tasks, whoever it is assigned to, and publishes <c>user-task-completed</c>;
    /// the variables must satisfy the user task's form. The HTTP API uses the overload that checks the assignee.
    /// </summary>
    [Alias("CompleteUserTaskAsync")]
    Task<Outcome<UserTaskRecord>> CompleteUserTaskAsync(string userTaskId, JsonElement? variables, string? userId = null);

    /// <summary>
    /// Completes one of this task's pending user tasks as <paramref name="userId"/>: a user task assigned to someone else is
    /// refused (forbidden) unless <paramref name="anyAssignee"/> (the override permission). <paramref name="variables"/> must
    /// satisfy the user task's form (a violation is invalid, naming the field) and pass into the workflow.
    /// </summary>
    [Alias("CompleteUserTaskAsUserAsync")]
    Task<Outcome<UserTaskRecord>> CompleteUserTaskAsync(string userTaskId, JsonElement? variables, string? userId, bool anyAssignee);

    /// <summary>
    /// Makes <paramref name="userId"/> the assignee of a pending, unassigned user task. Claiming one the same user holds
    /// returns it unchanged; one another user holds is a conflict.
    /// </summary>
    [Alias("ClaimUserTaskAsync")]
    Task<Outcome<UserTaskRecord>> ClaimUserTaskAsync(string userTaskId, string userId);

    /// <summary>
    /// Clears the assignee of a pending user task. Only its assignee may, unless <paramref name="anyAssignee"/>; an unassigned
    /// user task is returned unchanged.
    /// </summary>
    [Alias("UnclaimUserTaskAsync")]
    Task<Outcome<UserTaskRecord>> UnclaimUserTaskAsync(string userTaskId, string? userId, bool anyAssignee);

    /// <summary>Sets (or, with null, clears) the assignee of a pending user task, whoever holds it.</summary>
    [Alias("AssignUserTaskAsync")]
    Task<Outcome<UserTaskRecord>> AssignUserTaskAsync(string userTaskId, string? assignee, string? userId);

    /// <summary>
    /// Soft-deletes the given user tasks of this task (deleted, deletedOn, deletedBy); ids of other tasks and ones already
    /// deleted are ignored. Returns the count deleted.
    /// </summary>
    [Alias("DeleteUserTasksAsync")]
    Task<Outcome<int>> DeleteUserTasksAsync(IReadOnlyList<string> userTaskIds, string? userId = null);

    /// <summary>
    /// Soft-deletes the task: the row stays, marked deleted, and is hidden from every read. Without cascade a task that still
    /// has user tasks is refused; with it, its user tasks are deleted too and its workflow instance is ended.
    /// </summary>
    [Alias("DeleteAsync")]
    Task<Outcome> DeleteAsync(bool cascade, string? userId = null);
}
