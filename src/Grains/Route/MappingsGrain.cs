using Orleans.Concurrency;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Storage;

namespace TaskService.Mappings;

/// <summary>
/// Writes mapping rows. A mapping is created and deleted whole, never modified, so any activation may write it: the store
/// keeps one live mapping per pair of keys. A deleted mapping stays as a soft-deleted row; mapping the same keys again creates a
/// new mapping with a new id.
/// </summary>
[StatelessWorker]
public sealed class MappingsGrain(ITaskServiceStore store, TimeProvider time) : Grain, IMappingsGrain
{
    public Task<Outcome<EventWorkflowMapping>> AddEventMappingAsync(string eventKey, string workflowKey, string? userId = null) =>
        AddOnceAsync(
            ("eventKey", eventKey),
            workflowKey,
            () => LiveEventMappingAsync(eventKey, workflowKey),
            now => new EventWorkflowMapping
            {
                Id = DeterministicId.NewId(),
                EventKey = eventKey,
                WorkflowKey = workflowKey,
                CreatedOn = now,
                ModifiedOn = now,
                CreatedBy = userId,
                ModifiedBy = userId,
            },
            mapping => store.AddEventMappingAsync(mapping));

    public Task<Outcome<TaskWorkflowMapping>> AddTaskMappingAsync(string taskKey, string workflowKey, string? userId = null) =>
        AddOnceAsync(
            ("taskKey", taskKey),
            workflowKey,
            () => LiveTaskMappingAsync(taskKey, workflowKey),
            now => new TaskWorkflowMapping
            {
                Id = DeterministicId.NewId(),
                TaskKey = taskKey,
                WorkflowKey = workflowKey,
                CreatedOn = now,
                ModifiedOn = now,
                CreatedBy = userId,
                ModifiedBy = userId,
            },
            mapping => store.AddTaskMappingAsync(mapping));

    public Task<bool> DeleteEventMappingAsync(string id, string? userId = null) => store.DeleteEventMappingAsync(id, userId, time.GetUtcNow());

    public Task<bool> DeleteTaskMappingAsync(string id, string? userId = null) => store.DeleteTaskMappingAsync(id, userId, time.GetUtcNow());

    private async Task<EventWorkflowMapping?> LiveEventMappingAsync(string eventKey, string workflowKey) =>
        (await store.GetEventMappingsAsync(eventKey)).FirstOrDefault(m => m.WorkflowKey == workflowKey);

    private async Task<TaskWorkflowMapping?> LiveTaskMappingAsync(string taskKey, string workflowKey) =>
        (await store.GetTaskMappingsAsync(taskKey)).FirstOrDefault(m => m.WorkflowKey == workflowKey);

    /// <summary>
    /// Maps <paramref name="key"/> (an event key or a task key, by its field name) to <paramref name="workflowKey"/> once: the
    /// live mapping of the pair when there is one, else a new one. Another activation may add the same keys in between: then its
    /// mapping is the answer.
    /// </summary>
    private async Task<Outcome<T>> AddOnceAsync<T>(
        (string Name, string Value) key, string workflowKey, Func<Task<T?>> live, Func<DateTimeOffset, T> create, Func<T, Task<bool>> add)
        where T : class
    {
        if ((Problem.MissingText(key.Value, key.Name) ?? Problem.MissingText(workflowKey, "workflowKey")) is { } missing)
        {
            return missing;
        }

        if (await live() is { } existing)
        {
            return existing;
        }

        var mapping = create(time.GetUtcNow());
        return await add(mapping) ? mapping
            : await live() is { } added ? added
            : Problem.Conflict(key.Name, $"The mapping of '{key.Value}' to '{workflowKey}' changed meanwhile; try again.");
    }
}
