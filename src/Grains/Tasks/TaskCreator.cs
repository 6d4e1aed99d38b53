using Microsoft.Extensions.Logging;
using TaskService.Common;
using TaskService.Outgoing;
using TaskService.Storage;

namespace TaskService.Tasks;

/// <summary>
/// Writes a new task whose row is not there: its record, its first history entry and, for the last task of a step, the step's
/// <c>task-created</c> with its webhook delivery rows, in one store write. The store inserts only when no row has the task's id,
/// so the write needs no read first and never overwrites a task its grain changed.
/// </summary>
/// <remarks>
/// <see cref="TaskGrain"/> creates through it, and so does <c>create-tasks</c> for a task whose key maps no workflow: such a task
/// has nothing more to do until someone acts on it, so it is written without activating its grain (an activation, a grain call
/// and a deactivation per task). A grain activated before its task existed never keeps that absence, so it reads the row anew.
/// </remarks>
public sealed partial class TaskCreator(ITaskServiceStore store, OutboxDispatcher outbox, TimeProvider time, ILogger<TaskCreator> logger)
{
    /// <summary>
    /// Writes the task unless a row has its id (the step ran again, or the task was deleted): the write, or null when nothing was
    /// written and the caller goes through the task's grain.
    /// </summary>
    public async Task<TaskWrite?> TryCreateAsync(string taskId, NewTask task, TaskCreatedEvent? taskCreated)
    {
        using var activity = TaskServiceActivities.StartTaskCreation(taskId, task.Key);
        var (record, created) = New(taskId, task);
        var outgoing = taskCreated?.ToOutgoingEvent([.. taskCreated.EarlierTasks, record]);
        var write = await outbox.PrepareAsync(outgoing is null ? [] : [outgoing]);
        var creation = await store.TryCreateTaskAsync(record, created, write.Events, write.ClaimFor, write.Deliveries, write.Dispatched);
        if (!creation.Created)
        {
            return null;
        }

        outbox.Written(write, creation.Claimed);
        Created(record);
        return new TaskWrite { Task = record, EventWritten = outgoing is not null };
    }

    /// <summary>The record of a new task made by a workflow step, and its <c>created</c> history entry.</summary>
    public (TaskRecord Record, TaskHistoryEntry Created) New(string taskId, NewTask task)
    {
        var now = time.GetUtcNow();
        var record = new TaskRecord
        {
            Id = taskId,
            Key = task.Key,
            Name = task.Name,
            Description = task.Description,
            Status = TaskRecordStatus.Pending,
            Priority = task.Priority,
            Severity = task.Severity,
            Type = task.Type,
            AssigneeId = task.AssigneeId,
            StartDate = task.StartDate,
            DueDate = task.DueDate,
            Metadata = task.Metadata,
            Notes = task.Notes,
            CreatedOn = now,
            ModifiedOn = now,
            CreatedBy = AuditUsers.System,
            ModifiedBy = AuditUsers.System,
        };
        var created = new HistoryBuilder(taskId, TaskHistoryActions.WorkflowActor, now).Add(TaskHistoryActions.Created, null, null).Entries[0];
        return (record, created);
    }

    /// <summary>Counts and logs a task that was written.</summary>
    public void Created(TaskRecord record)
    {
        TaskInstruments.TasksCreated.Add(1);
        LogTaskCreated(record.Id, record.Key);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Task {TaskId} created with key {TaskKey}")]
    private partial void LogTaskCreated(string taskId, string taskKey);
}
