using System.Text.Json;
using Microsoft.Extensions.Logging;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Events;
using TaskService.Outgoing;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Workflows;

namespace TaskService.Tasks;

/// <summary>
/// The single writer of one task and its user tasks. Its state is its rows in the store: every change is written there
/// before the method returns, and the outgoing event it causes is published after the write.
/// </summary>
public sealed partial class TaskGrain(
    ITaskServiceStore store,
    IWorkflowEngine engine,
    OutboxDispatcher outbox,
    TaskCreator creator,
    TimeProvider time,
    ILogger<TaskGrain> logger) : Grain, ITaskGrain, IIncomingGrainCallFilter
{
    private TaskAggregate? _state;

    /// <summary>The grain's key, decoded once (each decoding allocates a new string).</summary>
    private string TaskId => _taskId ??= this.GetPrimaryKeyString();

    private string? _taskId;

    /// <summary>
    /// Whether this activation holds its task's rows. An activation that found no task reads again on its next call: the task
    /// may have been written since without it (see <see cref="TaskCreator"/>). A task being created reads nothing first: see
    /// <see cref="CreateAsync"/>.
    /// </summary>
    private bool Loaded => _state is not null;

    /// <summary>Reads the task's rows before each call that needs them while this activation holds none (every call but a creation).</summary>
    public async Task Invoke(IIncomingGrainCallContext context)
    {
        if (!Loaded && context.ImplementationMethod.Name != nameof(CreateAsync))
        {
            _state = await store.LoadTaskAsync(TaskId);
        }

        await context.Invoke();
    }

    /// <summary>
    /// Creates the task unless it exists. The task is written only if its row is not there, which needs no read first; when the
    /// row is there (the step that creates it ran again) the task is read and returned as it is.
    /// </summary>
    public async Task<TaskRecord> CreateAsync(NewTask task) => (await CreateAsync(task, null)).Task;

    /// <summary>
    /// <see cref="CreateAsync(NewTask)"/> whose write carries <paramref name="taskCreated"/>, with the record it writes as the last
    /// of the step's tasks: the task, its first history entry and the event commit together.
    /// </summary>
    public async Task<TaskWrite> CreateAsync(NewTask task, TaskCreatedEvent? taskCreated)
    {
        if (_state is not null)
        {
            return new TaskWrite { Task = _state.Task };
        }

        if (await creator.TryCreateAsync(TaskId, task, taskCreated) is { } write)
        {
            _state = new TaskAggregate(write.Task, []);
            await LeaveMemoryUnlessMappedAsync(task.Key);
            return write;
        }

        // Its row is there: the step that creates it ran again, and the event was not written: the caller publishes it with the
        // stored record. A deleted task reads as absent and is written again, with the event.
        _state = await store.LoadTaskAsync(TaskId);
        if (_state is not null)
        {
            return new TaskWrite { Task = _state.Task };
        }

        var (record, created) = creator.New(TaskId, task);
        var outgoing = taskCreated?.ToOutgoingEvent([.. taskCreated.EarlierTasks, record]);
        await SaveAsync(new TaskAggregate(record, []), outgoing, [created]);
        creator.Created(record);
        await LeaveMemoryUnlessMappedAsync(task.Key);
        return new TaskWrite { Task = record, EventWritten = outgoing is not null };
    }

    private async Task LeaveMemoryUnlessMappedAsync(string taskKey)
    {
        if ((await store.GetTaskMappingsAsync(taskKey)).Count == 0)
        {
            LeaveMemory();
        }
    }

    /// <summary>
    /// A task a workflow step made, with nothing more to do here until someone acts on it (which reads it anew), leaves memory:
    /// a busy silo keeps no activation per task it ever created. A task whose key maps a workflow stays for the step to attach it.
    /// </summary>
    private void LeaveMemory() => DeactivateOnIdle();

    public Task<TaskRecord?> GetAsync() => Task.FromResult(_state?.Task);

    public Task<IReadOnlyList<UserTaskRecord>> GetUserTasksAsync() =>
        Task.FromResult(_state is null ? [] : Live(_state.UserTasks));

    public async Task<TaskRecord> AttachWorkflowAsync(string workflowInstanceId, IReadOnlyList<NewUserTask> pendingUserTasks) =>
        (await AttachWorkflowAsync(workflowInstanceId, pendingUserTasks, null)).Task;

    public async Task<TaskWrite> AttachWorkflowAsync(string workflowInstanceId, IReadOnlyList<NewUserTask> pendingUserTasks, TaskCreatedEvent? taskCreated)
    {
        var state = Require();
        if (state.Task.ExternalId is { } existing && existing != workflowInstanceId)
        {
            throw TaskServiceException.Conflict("externalId", $"Task '{TaskId}' already runs workflow instance '{existing}'.");
        }

        var now = time.GetUtcNow();
        var task = state.Task with { ExternalId = workflowInstanceId, ModifiedOn = now, ModifiedBy = AuditUsers.System };
        var userTasks = Merge(state.UserTasks, pendingUserTasks);
        var history = new HistoryBuilder(TaskId, TaskHistoryActions.WorkflowActor, now);
        if (state.Task.ExternalId != workflowInstanceId)
        {
            history.Add(TaskHistoryActions.Updated, null, TaskChanges.Of("externalId", state.Task.ExternalId, workflowInstanceId));
        }

        history.AddCreated(state.UserTasks, userTasks);
        var outgoing = taskCreated?.ToOutgoingEvent([.. taskCreated.EarlierTasks, task]);
        await SaveAsync(new TaskAggregate(task, userTasks), outgoing, history.Entries);
        TaskInstruments.UserTasksCreated.Add(userTasks.Count - state.UserTasks.Count);
        LeaveMemory();
        return new TaskWrite { Task = task, EventWritten = outgoing is not null };
    }

    public async Task AddUserTasksAsync(IReadOnlyList<NewUserTask> pendingUserTasks)
    {
        var state = Require();
        var merged = Merge(state.UserTasks, pendingUserTasks);
        if (merged.Count != state.UserTasks.Count)
        {
            var history = new HistoryBuilder(TaskId, TaskHistoryActions.WorkflowActor, time.GetUtcNow());
            history.AddCreated(state.UserTasks, merged);
            await SaveAsync(state with { UserTasks = merged }, history: history.Entries);
            TaskInstruments.UserTasksCreated.Add(merged.Count - state.UserTasks.Count);
        }
    }

    public async Task<Outcome<TaskRecord>> UpdateAsync(TaskUpdate update, string? userId = null)
    {
        if (_state is not { } state)
        {
            return NotFound();
        }

        if (update.Status == TaskRecordStatus.Completed)
        {
            return Problem.Invalid("status", "A task cannot be completed through PATCH; it completes when its workflow reaches the end-task step.");
        }

        if (state.Task.Status == TaskRecordStatus.Completed && update.Status is not null)
        {
            return Problem.Conflict("status", $"Task '{TaskId}' is completed; its status can no longer change.");
        }

        var newExternalId = update.Clears("externalId") ? null : update.ExternalId ?? state.Task.ExternalId;
        if (state.Task.ExternalId is { } instanceId && newExternalId != instanceId)
        {
            return Problem.Conflict("externalId",
                $"Task '{TaskId}' runs workflow instance '{instanceId}', whose id is its externalId; it cannot change while the task is linked to it.");
        }

        var now = time.GetUtcNow();
        var task = state.Task with
        {
            Name = update.Name ?? state.Task.Name,
            Description = update.Clears("description") ? null : update.Description ?? state.Task.Description,
            Status = update.Status ?? state.Task.Status,
            Priority = update.Clears("priority") ? null : update.Priority ?? state.Task.Priority,
            Severity = update.Clears("severity") ? null : update.Severity ?? state.Task.Severity,
            Type = update.Clears("type") ? null : update.Type ?? state.Task.Type,
            AssigneeId = update.Clears("assigneeId") ? null : update.AssigneeId ?? state.Task.AssigneeId,
            StartDate = update.Clears("startDate") ? null : update.StartDate ?? state.Task.StartDate,
            DueDate = update.Clears("dueDate") ? null : update.DueDate ?? state.Task.DueDate,
            Metadata = update.Clears("metadata") ? null : update.Metadata ?? state.Task.Metadata,
            Notes = update.Clears("notes") ? null : update.Notes ?? state.Task.Notes,
            Key = update.Key ?? state.Task.Key,
            EndDate = update.Clears("endDate") ? null : update.EndDate ?? state.Task.EndDate,
            ExternalId = newExternalId,
            ModifiedOn = now,
            ModifiedBy = userId,
        };

        // A status change reaches the user tasks only where the user-task status allows it: of the statuses PATCH may set,
        // only "pending" is a user-task status, open user tasks already are pending, and completed ones are never reopened.
        var changes = TaskChanges.Between(state.Task, task);
        var history = new HistoryBuilder(TaskId, Actor(userId), now);
        if (changes.Count > 0)
        {
            history.Add(changes is [{ Field: "status" }] ? TaskHistoryActions.StatusChanged : TaskHistoryActions.Updated, null, changes);
        }

        await SaveAsync(state with { Task = task }, history: history.Entries);
        return task;
    }

    public async Task<TaskRecord> EndAsync()
    {
        var state = Require();
        if (state.Task.Status == TaskRecordStatus.Completed)
        {
            return state.Task;
        }

        var now = time.GetUtcNow();
        var task = state.Task with { Status = TaskRecordStatus.Completed, EndDate = now, ModifiedOn = now, ModifiedBy = AuditUsers.System };
        var history = new HistoryBuilder(TaskId, TaskHistoryActions.WorkflowActor, now);
        history.Add(TaskHistoryActions.Completed, null, TaskChanges.Between(state.Task, task));
        await SaveAsync(state with { Task = task }, Outgoing(OutgoingEventTypes.TaskCompleted, TaskId, new { taskId = TaskId }), history.Entries);
        TaskInstruments.TasksCompleted.Add(1);
        LogTaskCompleted(TaskId);
        return task;
    }

    // The original contract, for trusted in-process callers: whoever holds the user task (its form is still checked).
    public Task<Outcome<UserTaskRecord>> CompleteUserTaskAsync(string userTaskId, JsonElement? variables, string? userId = null) =>
        CompleteUserTaskAsync(userTaskId, variables, userId, anyAssignee: true);

    public async Task<Outcome<UserTaskRecord>> CompleteUserTaskAsync(string userTaskId, JsonElement? variables, string? userId, bool anyAssignee)
    {
        if (_state is not { } state)
        {
            return NotFound();
        }

        var pending = Pending(state, userTaskId);
        if (pending.Value is not { } userTask)
        {
            return pending;
        }

        if (userTask.Assignee is { } assignee && assignee != userId && !anyAssignee)
        {
            return Problem.Forbidden("assignee",
                $"User task '{userTaskId}' is assigned to '{assignee}'; only its assignee (or a holder of the override permission) may complete it.");
        }

        if (UserTaskFormValidator.Validate(userTask.Form, variables) is { } invalid)
        {
            return invalid;
        }

        IReadOnlyList<NewUserTask> next = [];
        if (state.Task.ExternalId is { } instanceId)
        {
            var completedInEngine = await engine.CompleteUserTaskAsync(instanceId, userTask.ExternalId, variables);
            if (!completedInEngine.IsOk)
            {
                return completedInEngine.Problem;
            }

            next = completedInEngine.Value!;
        }

        var now = time.GetUtcNow();
        var completed = userTask with { Status = UserTaskStatus.Completed, ModifiedOn = now, ModifiedBy = userId };
        var userTasks = Merge(state.UserTasks.Select(u => u.Id == userTaskId ? completed : u).ToArray(), next);
        var task = state.Task.Status == TaskRecordStatus.Pending
            ? state.Task with { Status = TaskRecordStatus.InProgress, ModifiedOn = now, ModifiedBy = userId }
            : state.Task;
        var history = new HistoryBuilder(TaskId, Actor(userId), now);
        history.Add(TaskHistoryActions.Completed, userTaskId, TaskChanges.Of("status", "pending", "completed"));
        if (task.Status != state.Task.Status)
        {
            history.Add(TaskHistoryActions.StatusChanged, null, TaskChanges.Between(state.Task, task));
        }

        history.AddCreated(state.UserTasks, userTasks, TaskHistoryActions.WorkflowActor);
        await SaveAsync(new TaskAggregate(task, userTasks), Outgoing(OutgoingEventTypes.UserTaskCompleted, userTaskId, new { task, userTask = completed }), history.Entries);
        TaskInstruments.UserTasksCompleted.Add(1);
        TaskInstruments.UserTasksCreated.Add(userTasks.Count - state.UserTasks.Count);
        LogUserTaskCompleted(TaskId, userTaskId);
        return completed;
    }

    public Task<Outcome<UserTaskRecord>> ClaimUserTaskAsync(string userTaskId, string userId)
    {
        ArgumentException.ThrowIfNullOrEmpty(userId);
        return WithPendingAsync(userTaskId, (state, userTask) => userTask.Assignee switch
        {
            null => ChangeAssigneeAsync(state, userTask, userId, userId, TaskHistoryActions.Claimed),
            var holder when holder == userId => Unchanged(userTask),
            var holder => Task.FromResult<Outcome<UserTaskRecord>>(Problem.Conflict("assignee", $"User task '{userTaskId}' is already claimed by '{holder}'.")),
        });
    }

    public Task<Outcome<UserTaskRecord>> UnclaimUserTaskAsync(string userTaskId, string? userId, bool anyAssignee) =>
        WithPendingAsync(userTaskId, (state, userTask) => userTask.Assignee switch
        {
            null => Unchanged(userTask),
            var holder when holder == userId || anyAssignee => ChangeAssigneeAsync(state, userTask, null, userId, TaskHistoryActions.Unclaimed),
            var holder => Task.FromResult<Outcome<UserTaskRecord>>(Problem.Forbidden("assignee",
                $"User task '{userTaskId}' is claimed by '{holder}'; only its assignee (or a holder of the override permission) may unclaim it.")),
        });

    public Task<Outcome<UserTaskRecord>> AssignUserTaskAsync(string userTaskId, string? assignee, string? userId) =>
        WithPendingAsync(userTaskId, (state, userTask) => userTask.Assignee == assignee
            ? Unchanged(userTask)
            : ChangeAssigneeAsync(state, userTask, assignee, userId, assignee is null ? TaskHistoryActions.Unassigned : TaskHistoryActions.Assigned));

    /// <summary>
    /// Runs <paramref name="change"/> on the pending user task <paramref name="userTaskId"/> of this task; not found when the task
    /// or the user task does not exist, the user task's problem when it is not pending.
    /// </summary>
    private Task<Outcome<UserTaskRecord>> WithPendingAsync(string userTaskId, Func<TaskAggregate, UserTaskRecord, Task<Outcome<UserTaskRecord>>> change)
    {
        if (_state is not { } state)
        {
            return Task.FromResult<Outcome<UserTaskRecord>>(NotFound());
        }

        var pending = Pending(state, userTaskId);
        return pending.Value is { } userTask ? change(state, userTask) : Task.FromResult(pending);
    }

    private static Task<Outcome<UserTaskRecord>> Unchanged(UserTaskRecord userTask) => Task.FromResult<Outcome<UserTaskRecord>>(userTask);

    private async Task<Outcome<UserTaskRecord>> ChangeAssigneeAsync(TaskAggregate state, UserTaskRecord userTask, string? assignee, string? userId, string action)
    {
        var now = time.GetUtcNow();
        var changed = userTask with { Assignee = assignee, ModifiedOn = now, ModifiedBy = userId };
        var history = new HistoryBuilder(TaskId, Actor(userId), now);
        history.Add(action, userTask.Id, TaskChanges.Of("assignee", userTask.Assignee, assignee));
        await SaveAsync(state with { UserTasks = state.UserTasks.Select(u => u.Id == userTask.Id ? changed : u).ToArray() }, history: history.Entries);
        LogAssigneeChanged(TaskId, userTask.Id, action);
        return changed;
    }

    public async Task<Outcome<int>> DeleteUserTasksAsync(IReadOnlyList<string> userTaskIds, string? userId = null)
    {
        if (_state is not { } state)
        {
            return NotFound();
        }

        var remove = userTaskIds.ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var deleted = 0;
        var history = new HistoryBuilder(TaskId, Actor(userId), now);
        var userTasks = state.UserTasks
            .Select(u =>
            {
                if (u.Deleted || !remove.Contains(u.Id))
                {
                    return u;
                }

                deleted++;
                history.Add(TaskHistoryActions.Deleted, u.Id, null);
                return SoftDeleted(u, now, userId);
            })
            .ToArray();
        if (deleted > 0)
        {
            await SaveAsync(state with { UserTasks = userTasks }, history: history.Entries);
        }

        return deleted;
    }

    public async Task<Outcome> DeleteAsync(bool cascade, string? userId = null)
    {
        if (_state is not { } state)
        {
            return NotFound();
        }

        var live = Live(state.UserTasks);
        if (!cascade && live.Count > 0)
        {
            return Problem.Conflict("cascade",
                $"Task '{TaskId}' has {live.Count} user task(s); delete with cascade=true to remove them and end its workflow.");
        }

        if (cascade && state.Task.ExternalId is { } instanceId && state.Task.Status != TaskRecordStatus.Completed)
        {
            await engine.CancelAsync(instanceId, $"Task '{TaskId}' was deleted.");
        }

        // The original soft-deletes: the rows stay, marked deleted, and every read leaves them out.
        var now = time.GetUtcNow();
        var task = state.Task with { Deleted = true, DeletedOn = now, DeletedBy = userId };
        var history = new HistoryBuilder(TaskId, Actor(userId), now);
        history.Add(TaskHistoryActions.Deleted, null, null);
        foreach (var userTask in live)
        {
            history.Add(TaskHistoryActions.Deleted, userTask.Id, null);
        }

        await store.SaveTaskAsync(new TaskAggregate(task, state.UserTasks.Select(u => u.Deleted ? u : SoftDeleted(u, now, userId)).ToArray()), [], history.Entries);
        _state = null;
        LogTaskDeleted(TaskId, cascade);
        DeactivateOnIdle();
        return Outcome.Ok;
    }

    private TaskAggregate Require() => _state ?? throw TaskServiceException.NotFound("task", TaskId);

    private Problem NotFound() => Problem.NotFound("task", TaskId);

    /// <summary>A live user task of this task that is still pending: not found when unknown or deleted, a conflict when completed.</summary>
    private Outcome<UserTaskRecord> Pending(TaskAggregate state, string userTaskId)
    {
        var userTask = state.UserTasks.FirstOrDefault(u => u.Id == userTaskId && !u.Deleted);
        return userTask is null ? Problem.NotFound("user task", userTaskId)
            : userTask.Status == UserTaskStatus.Completed ? Problem.Conflict("userTaskId", $"User task '{userTaskId}' of task '{TaskId}' is already completed.")
            : userTask;
    }

    private static string Actor(string? userId) => userId ?? TaskHistoryActions.SystemActor;

    private static IReadOnlyList<UserTaskRecord> Live(IReadOnlyList<UserTaskRecord> userTasks) =>
        userTasks.Any(u => u.Deleted) ? userTasks.Where(u => !u.Deleted).ToArray() : userTasks;

    private static UserTaskRecord SoftDeleted(UserTaskRecord userTask, DateTimeOffset now, string? userId) =>
        userTask with { Deleted = true, DeletedOn = now, DeletedBy = userId };

    /// <summary>Writes the task with the outgoing event the change causes, in one transaction, then hands the event to the outbox dispatcher.</summary>
    private async Task SaveAsync(TaskAggregate state, OutgoingEvent? outgoing = null, IReadOnlyList<TaskHistoryEntry>? history = null)
    {
        // Written claimed for this silo's dispatcher, with its webhook delivery rows, and taken at once: no claim round trip, no poll.
        var write = outgoing is null ? OutboxWrite.None : await outbox.PrepareAsync([outgoing]);
        var claimed = await store.SaveTaskAsync(state, write.Events, history, write.ClaimFor, write.Deliveries, write.Dispatched);
        _state = state;
        outbox.Written(write, claimed);
    }

    private IReadOnlyList<UserTaskRecord> Merge(IReadOnlyList<UserTaskRecord> existing, IReadOnlyList<NewUserTask> pending)
    {
        if (pending.Count == 0)
        {
            return existing;
        }

        var known = existing.Select(u => u.ExternalId).ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var added = pending
            .Where(p => known.Add(p.ExternalId))
            .Select(p => new UserTaskRecord
            {
                Id = DeterministicId.From("user-task", TaskId, p.ExternalId),
                TaskId = TaskId,
                Name = p.Name,
                Status = UserTaskStatus.Pending,
                ExternalId = p.ExternalId,
                Assignee = p.Assignee,
                CandidateGroups = p.CandidateGroups,
                DueDate = p.DueDate,
                Form = p.Form,
                CreatedOn = now,
                ModifiedOn = now,
                CreatedBy = AuditUsers.System,
                ModifiedBy = AuditUsers.System,
            });
        return [.. existing, .. added];
    }

    /// <summary>An outgoing event whose id derives from what it is about, so a repeated change publishes the same event.</summary>
    private OutgoingEvent Outgoing(string key, string subjectId, object payload) => new()
    {
        TraceParent = System.Diagnostics.Activity.Current?.Id,
        Id = DeterministicId.From(key, subjectId),
        Key = key,
        Payload = JsonElementFactory.From(payload),
        Timestamp = time.GetUtcNow().ToUnixTimeMilliseconds(),
    };

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId} completed")]
    private partial void LogTaskCompleted(string taskId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "User task {UserTaskId} of task {TaskId} completed")]
    private partial void LogUserTaskCompleted(string taskId, string userTaskId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "User task {UserTaskId} of task {TaskId}: {Action}")]
    private partial void LogAssigneeChanged(string taskId, string userTaskId, string action);

    [LoggerMessage(Level = LogLevel.Information, Message = "Task {TaskId} deleted (cascade: {Cascade})")]
    private partial void LogTaskDeleted(string taskId, bool cascade);
}
