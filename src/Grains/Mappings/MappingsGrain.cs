using Orleans.Concurrency;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Storage;

namespace TaskService.Mappings;

/// <summary>Writes mapping rows. A mapping is created and deleted whole, never modified, so any activation may write it.</summary>
[StatelessWorker]
public sealed class MappingsGrain(ITaskServiceStore store, TimeProvider time) : Grain, IMappingsGrain
{
    public async Task<EventWorkflowMapping> AddEventMappingAsync(string eventKey, string workflowKey)
    {
        var existing = (await store.GetEventMappingsAsync(eventKey)).FirstOrDefault(m => m.WorkflowKey == workflowKey);
        if (existing is not null)
        {
            return existing;
        }

        var mapping = new EventWorkflowMapping
        {
            Id = DeterministicId.From("event-mapping", eventKey, workflowKey),
            EventKey = Required(eventKey, "eventKey"),
            WorkflowKey = Required(workflowKey, "workflowKey"),
            CreatedOn = time.GetUtcNow(),
        };
        await store.AddEventMappingAsync(mapping);
        return mapping;
    }

    public async Task<TaskWorkflowMapping> AddTaskMappingAsync(string taskKey, string workflowKey)
    {
        var existing = (await store.GetTaskMappingsAsync(taskKey)).FirstOrDefault(m => m.WorkflowKey == workflowKey);
        if (existing is not null)
        {
            return existing;
        }

        var mapping = new TaskWorkflowMapping
        {
            Id = DeterministicId.From("task-mapping", taskKey, workflowKey),
            TaskKey = Required(taskKey, "taskKey"),
            WorkflowKey = Required(workflowKey, "workflowKey"),
            CreatedOn = time.GetUtcNow(),
        };
        await store.AddTaskMappingAsync(mapping);
        return mapping;
    }

    public Task<bool> DeleteEventMappingAsync(string id) => store.DeleteEventMappingAsync(id);

    public Task<bool> DeleteTaskMappingAsync(string id) => store.DeleteTaskMappingAsync(id);

    private static string Required(string value, string name) =>
        string.IsNullOrWhiteSpace(value) ? throw TaskServiceException.Invalid(name, $"'{name}' is required.") : value;
}
