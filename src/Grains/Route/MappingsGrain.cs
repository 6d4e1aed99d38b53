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
    public async Task<Outcome<EventWorkflowMapping>> AddEventMappingAsync(string eventKey, string workflowKey, string? userId = null)
    {
        if ((Missing(eventKey, "eventKey") ?? Missing(workflowKey, "workflowKey")) is { } missing)
        {
            return missing;
        }

        if (await LiveEventMappingAsync(eventKey, workflowKey) is { } existing)
        {
            return existing;
        }

        var now = time.GetUtcNow();
        var mapping = new EventWorkflowMapping
        {
            Id = DeterministicId.NewId(),
            EventKey = eventKey,
            WorkflowKey = workflowKey,
            CreatedOn = now,
            ModifiedOn = now,
            CreatedBy = userId,
            ModifiedBy = userId,
        };

        // Another activation may have added the same keys in between: then its mapping is the answer.
        return await store.AddEventMappingAsync(mapping) ? mapping
            : await LiveEventMappingAsync(eventKey, workflowKey) is { } added ? added
            : Problem.Conflict("eventKey", $"The mapping of '{eventKey}' to '{workflowKey}' changed meanwhile; try again.");
    }

    public async Task<Outcome<TaskWorkflowMapping>> AddTaskMappingAsync(string taskKey, string workflowKey, string? userId = null)
    {
        if ((Missing(taskKey, "taskKey") ?? Missing(workflowKey, "workflowKey")) is { } missing)
        {
            return missing;
        }

        if (await LiveTaskMappingAsync(taskKey, workflowKey) is { } existing)
        {
            return existing;
        }

        var now = time.GetUtcNow();
        var mapping = new TaskWorkflowMapping
        {
            Id = DeterministicId.NewId(),
            TaskKey = taskKey,
            WorkflowKey = workflowKey,
            CreatedOn = now,
            ModifiedOn = now,
            CreatedBy = userId,
            ModifiedBy = userId,
        };

        return await store.AddTaskMappingAsync(mapping) ? mapping
            : await LiveTaskMappingAsync(taskKey, workflowKey) is { } added ? added
            : Problem.Conflict("taskKey", $"The mapping of '{taskKey}' to '{workflowKey}' changed meanwhile; try again.");
    }

    public Task<bool> DeleteEventMappingAsync(string id, string? userId = null) => store.DeleteEventMappingAsync(id, userId, time.GetUtcNow());

    public Task<bool> DeleteTaskMappingAsync(string id, string? userId = null) => store.DeleteTaskMappingAsync(id, userId, time.GetUtcNow());

    private async Task<EventWorkflowMapping?> LiveEventMappingAsync(string eventKey, string workflowKey) =>
        (await store.GetEventMappingsAsync(eventKey)).FirstOrDefault(m => m.WorkflowKey == workflowKey);

    private async Task<TaskWorkflowMapping?> LiveTaskMappingAsync(string taskKey, string workflowKey) =>
        (await store.GetTaskMappingsAsync(taskKey)).FirstOrDefault(m => m.WorkflowKey == workflowKey);

    private static Problem? Missing(string value, string name) =>
        string.IsNullOrWhiteSpace(value) ? Problem.Invalid(name, $"'{name}' is required.") : null;
}
