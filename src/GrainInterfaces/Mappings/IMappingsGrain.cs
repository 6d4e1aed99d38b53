using TaskService.Errors;

namespace TaskService.Mappings;

/// <summary>
/// Creates and deletes event-to-workflow and task-to-workflow mappings. <c>userId</c> is the signed-in user (the token's
/// <c>sub</c>) who asks; it fills <c>createdBy</c>/<c>modifiedBy</c>/<c>deletedBy</c>.
/// </summary>
[Alias("TaskService.IMappingsGrain")]
public interface IMappingsGrain : IGrainWithIntegerKey
{
    /// <summary>Adds the mapping, or returns the live one with the same keys.</summary>
    [Alias("AddEventMappingAsync")]
    Task<Outcome<EventWorkflowMapping>> AddEventMappingAsync(string eventKey, string workflowKey, string? userId = null);

    /// <summary>Adds the mapping, or returns the live one with the same keys.</summary>
    [Alias("AddTaskMappingAsync")]
    Task<Outcome<TaskWorkflowMapping>> AddTaskMappingAsync(string taskKey, string workflowKey, string? userId = null);

    /// <summary>Soft-deletes the mapping. Returns false when no such mapping exists (or it is deleted already).</summary>
    [Alias("DeleteEventMappingAsync")]
    Task<bool> DeleteEventMappingAsync(string id, string? userId = null);

    /// <summary>Soft-deletes the mapping. Returns false when no such mapping exists (or it is deleted already).</summary>
    [Alias("DeleteTaskMappingAsync")]
    Task<bool> DeleteTaskMappingAsync(string id, string? userId = null);
}
