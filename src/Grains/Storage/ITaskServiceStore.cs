using System.Text.Json;
using TaskService.ClientApps;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Queries;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Storage;

/// <summary>
/// The task service's tables. Entity grains are the only writers of their rows, and a row is its grain's state,
/// so the queryable data and the grains never disagree. List and count reads are served here, never by grains.
/// </summary>
public interface ITaskServiceStore
{
    /// <summary>Records the event unless one with the same id exists. Returns true when it was new.</summary>
    Task<bool> TryAddEventAsync(EventRecord record, CancellationToken cancellationToken = default);

    Task<TaskAggregate?> LoadTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>Writes the task and replaces its user tasks with the given ones.</summary>
    Task SaveTaskAsync(TaskAggregate aggregate, CancellationToken cancellationToken = default);

    Task DeleteTaskAsync(string taskId, CancellationToken cancellationToken = default);

    Task AddEventMappingAsync(EventWorkflowMapping mapping, CancellationToken cancellationToken = default);

    Task<bool> DeleteEventMappingAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<EventWorkflowMapping>> GetEventMappingsAsync(string eventKey, CancellationToken cancellationToken = default);

    Task AddTaskMappingAsync(TaskWorkflowMapping mapping, CancellationToken cancellationToken = default);

    Task<bool> DeleteTaskMappingAsync(string id, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<TaskWorkflowMapping>> GetTaskMappingsAsync(string taskKey, CancellationToken cancellationToken = default);

    /// <summary>Adds the app unless its API key is taken. Returns true when it was added.</summary>
    Task<bool> TryAddClientAppAsync(ClientAppRow row, CancellationToken cancellationToken = default);

    Task<ClientAppRow?> GetClientAppByKeyAsync(string apiKey, CancellationToken cancellationToken = default);

    Task<ClientAppRow?> GetClientAppAsync(string id, CancellationToken cancellationToken = default);

    Task SaveSubscriptionAsync(WebhookSubscriptionRecord subscription, CancellationToken cancellationToken = default);

    Task<WebhookSubscriptionRecord?> GetSubscriptionAsync(string id, CancellationToken cancellationToken = default);

    Task DeleteSubscriptionAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The active subscriptions whose key equals <paramref name="key"/>.</summary>
    Task<IReadOnlyList<WebhookSubscriptionRecord>> GetActiveSubscriptionsAsync(string key, CancellationToken cancellationToken = default);

    Task<WorkflowAggregate?> LoadWorkflowAsync(string workflowId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the workflow and replaces its versions. Fails with a conflict when another workflow has the same process id.
    /// </summary>
    Task SaveWorkflowAsync(WorkflowAggregate aggregate, CancellationToken cancellationToken = default);

    Task DeleteWorkflowAsync(string workflowId, CancellationToken cancellationToken = default);

    /// <summary>The id of the workflow whose BPMN process id is <paramref name="processId"/>, or null.</summary>
    Task<string?> FindWorkflowIdByProcessIdAsync(string processId, CancellationToken cancellationToken = default);

    /// <summary>Writes the queryable row of a workflow instance.</summary>
    Task SaveWorkflowInstanceAsync(WorkflowInstanceSummary summary, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<JsonElement>> ListAsync(EntityKind kind, QueryFilter filter, CancellationToken cancellationToken = default);

    Task<long> CountAsync(EntityKind kind, FilterNode? where, CancellationToken cancellationToken = default);

    Task<JsonElement?> GetAsync(EntityKind kind, string id, IReadOnlyList<string>? fields, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> FindIdsAsync(EntityKind kind, FilterNode? where, int limit, CancellationToken cancellationToken = default);
}
