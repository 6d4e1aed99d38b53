namespace TaskService.Mappings;

/// <summary>Creates and deletes event-to-workflow and task-to-workflow mappings.</summary>
[Alias("TaskService.IMappingsGrain")]
public interface IMappingsGrain : IGrainWithIntegerKey
{
    [Alias("AddEventMappingAsync")]
    Task<EventWorkflowMapping> AddEventMappingAsync(string eventKey, string workflowKey);

    [Alias("AddTaskMappingAsync")]
    Task<TaskWorkflowMapping> AddTaskMappingAsync(string taskKey, string workflowKey);

    /// <summary>Returns false when no such mapping exists.</summary>
    [Alias("DeleteEventMappingAsync")]
    Task<bool> DeleteEventMappingAsync(string id);

    /// <summary>Returns false when no such mapping exists.</summary>
    [Alias("DeleteTaskMappingAsync")]
    Task<bool> DeleteTaskMappingAsync(string id);
}
