using System.Text.Json;
using Microsoft.Extensions.Options;
using TaskService.ClientApps;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Queries;
using TaskService.Tasks;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Storage.Caching;

/// <summary>
/// Serves the reads every event makes (its mappings, the workflow id of a process, the client app and the subscriptions of an
/// outgoing event) from memory, and passes everything else to the store. Writes through this store clear the matching cache at
/// once. Other silos' writes are seen after <see cref="StoreCacheOptions.Ttl"/>: invalidating across silos would need a message
/// to every silo on every change, and a TTL of a second or two bounds the staleness of rows that change by hand. Empty answers
/// are never kept, so a mapping or subscription added on another silo is seen on its first use.
/// </summary>
public sealed class CachingTaskServiceStore(ITaskServiceStore inner, IOptions<StoreCacheOptions> options, TimeProvider time) : ITaskServiceStore
{
    private readonly ReadCache<IReadOnlyList<EventWorkflowMapping>> _eventMappings = new(options.Value.Ttl, time);
    private readonly ReadCache<IReadOnlyList<TaskWorkflowMapping>> _taskMappings = new(options.Value.Ttl, time);
    private readonly ReadCache<string> _workflowIds = new(options.Value.Ttl, time);
    private readonly ReadCache<ClientAppRow> _clientApps = new(options.Value.Ttl, time);
    private readonly ReadCache<IReadOnlyList<WebhookSubscriptionRecord>> _subscriptions = new(options.Value.Ttl, time);

    public Task<IReadOnlyList<EventWorkflowMapping>> GetEventMappingsAsync(string eventKey, CancellationToken cancellationToken = default) =>
        NonNull(_eventMappings.GetAsync(eventKey, async () => await inner.GetEventMappingsAsync(eventKey, cancellationToken), l => l.Count > 0));

    public Task<IReadOnlyList<TaskWorkflowMapping>> GetTaskMappingsAsync(string taskKey, CancellationToken cancellationToken = default) =>
        NonNull(_taskMappings.GetAsync(taskKey, async () => await inner.GetTaskMappingsAsync(taskKey, cancellationToken), l => l.Count > 0));

    public Task<string?> FindWorkflowIdByProcessIdAsync(string processId, CancellationToken cancellationToken = default) =>
        _workflowIds.GetAsync(processId, () => inner.FindWorkflowIdByProcessIdAsync(processId, cancellationToken), _ => true);

    public Task<ClientAppRow?> GetClientAppAsync(string id, CancellationToken cancellationToken = default) =>
        _clientApps.GetAsync(id, () => inner.GetClientAppAsync(id, cancellationToken), _ => true);

    public Task<IReadOnlyList<WebhookSubscriptionRecord>> GetActiveSubscriptionsAsync(string key, CancellationToken cancellationToken = default) =>
        NonNull(_subscriptions.GetAsync(key, async () => await inner.GetActiveSubscriptionsAsync(key, cancellationToken), l => l.Count > 0));

    public async Task<bool> AddEventMappingAsync(EventWorkflowMapping mapping, CancellationToken cancellationToken = default)
    {
        var added = await inner.AddEventMappingAsync(mapping, cancellationToken);
        _eventMappings.Clear();
        return added;
    }

    public async Task<bool> DeleteEventMappingAsync(string id, string? deletedBy, DateTimeOffset deletedOn, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteEventMappingAsync(id, deletedBy, deletedOn, cancellationToken);
        _eventMappings.Clear();
        return deleted;
    }

    public async Task<bool> AddTaskMappingAsync(TaskWorkflowMapping mapping, CancellationToken cancellationToken = default)
    {
        var added = await inner.AddTaskMappingAsync(mapping, cancellationToken);
        _taskMappings.Clear();
        return added;
    }

    public async Task<bool> DeleteTaskMappingAsync(string id, string? deletedBy, DateTimeOffset deletedOn, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteTaskMappingAsync(id, deletedBy, deletedOn, cancellationToken);
        _taskMappings.Clear();
        return deleted;
    }

    public async Task SaveWorkflowAsync(WorkflowAggregate aggregate, CancellationToken cancellationToken = default)
    {
        await inner.SaveWorkflowAsync(aggregate, cancellationToken);
        _workflowIds.Clear();
    }

    public async Task SaveSubscriptionAsync(WebhookSubscriptionRecord subscription, CancellationToken cancellationToken = default)
    {
        await inner.SaveSubscriptionAsync(subscription, cancellationToken);
        _subscriptions.Clear();
    }

    public async Task DeleteSubscriptionAsync(string id, CancellationToken cancellationToken = default)
    {
        await inner.DeleteSubscriptionAsync(id, cancellationToken);
        _subscriptions.Clear();
    }

    public Task<EventRecording> RecordEventAsync(EventRecord record, CancellationToken cancellationToken = default) =>
        inner.RecordEventAsync(record, cancellationToken);

    public Task MarkEventRoutedAsync(string eventId, CancellationToken cancellationToken = default) =>
        inner.MarkEventRoutedAsync(eventId, cancellationToken);

    public Task MarkEventsRoutedAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default) =>
        inner.MarkEventsRoutedAsync(eventIds, cancellationToken);

    public Task<IReadOnlyList<EventRecord>> GetUnroutedEventsAsync(DateTimeOffset recordedBefore, int max, CancellationToken cancellationToken = default) =>
        inner.GetUnroutedEventsAsync(recordedBefore, max, cancellationToken);

    public Task<TaskAggregate?> LoadTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        inner.LoadTaskAsync(taskId, cancellationToken);

    public Task<IReadOnlyList<OutboxEntry>> SaveTaskAsync(
        TaskAggregate aggregate,
        IReadOnlyList<OutgoingEvent> outbox,
        IReadOnlyList<TaskHistoryEntry>? history = null,
        TimeSpan? claimFor = null,
        CancellationToken cancellationToken = default) =>
        inner.SaveTaskAsync(aggregate, outbox, history, claimFor, cancellationToken);

    public Task DeleteTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        inner.DeleteTaskAsync(taskId, cancellationToken);

    public Task<bool> TryAddClientAppAsync(ClientAppRow row, CancellationToken cancellationToken = default) =>
        inner.TryAddClientAppAsync(row, cancellationToken);

    public Task<ClientAppRow?> GetClientAppByKeyAsync(string apiKey, CancellationToken cancellationToken = default) =>
        inner.GetClientAppByKeyAsync(apiKey, cancellationToken);

    public async Task UpdateClientAppSecretsAsync(ClientAppRow row, CancellationToken cancellationToken = default)
    {
        await inner.UpdateClientAppSecretsAsync(row, cancellationToken);

        // This silo signs with the new secret at once; other silos' caches catch up within the cache's time to live.
        _clientApps.Clear();
    }

    public Task<WebhookSubscriptionRecord?> GetSubscriptionAsync(string id, CancellationToken cancellationToken = default) =>
        inner.GetSubscriptionAsync(id, cancellationToken);

    public Task<WorkflowAggregate?> LoadWorkflowAsync(string workflowId, CancellationToken cancellationToken = default) =>
        inner.LoadWorkflowAsync(workflowId, cancellationToken);

    public Task SaveWorkflowInstanceAsync(WorkflowInstanceSummary summary, string state, DateTimeOffset? dueOn = null, CancellationToken cancellationToken = default) =>
        inner.SaveWorkflowInstanceAsync(summary, state, dueOn, cancellationToken);

    public Task<IReadOnlyList<string>> GetDueWorkflowInstancesAsync(DateTimeOffset dueBefore, int max, CancellationToken cancellationToken = default) =>
        inner.GetDueWorkflowInstancesAsync(dueBefore, max, cancellationToken);

    public Task<string?> LoadWorkflowInstanceStateAsync(string instanceId, CancellationToken cancellationToken = default) =>
        inner.LoadWorkflowInstanceStateAsync(instanceId, cancellationToken);

    public Task AppendOutboxAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default) =>
        inner.AppendOutboxAsync(events, cancellationToken);

    public Task<IReadOnlyList<OutboxEntry>> AppendClaimedOutboxAsync(IReadOnlyList<OutgoingEvent> events, TimeSpan lease, CancellationToken cancellationToken = default) =>
        inner.AppendClaimedOutboxAsync(events, lease, cancellationToken);

    public Task<IReadOnlyList<OutboxEntry>> ClaimOutboxAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default) =>
        inner.ClaimOutboxAsync(max, lease, cancellationToken);

    public Task<OutboxBacklog> GetOutboxBacklogAsync(CancellationToken cancellationToken = default) =>
        inner.GetOutboxBacklogAsync(cancellationToken);

    public Task MarkDispatchedAsync(IReadOnlyList<long> sequences, CancellationToken cancellationToken = default) =>
        inner.MarkDispatchedAsync(sequences, cancellationToken);

    public Task<IReadOnlyList<QueuedDelivery>> AppendDeliveriesAsync(IReadOnlyList<QueuedDelivery> deliveries, CancellationToken cancellationToken = default) =>
        inner.AppendDeliveriesAsync(deliveries, cancellationToken);

    public Task<IReadOnlyList<QueuedDelivery>> GetPendingDeliveriesAsync(string subscriptionId, int max, CancellationToken cancellationToken = default) =>
        inner.GetPendingDeliveriesAsync(subscriptionId, max, cancellationToken);

    public Task<QueuedDelivery?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken = default) =>
        inner.GetDeliveryAsync(deliveryId, cancellationToken);

    public Task RecordDeliveryUpdatesAsync(IReadOnlyList<WebhookDeliveryUpdate> updates, CancellationToken cancellationToken = default) =>
        inner.RecordDeliveryUpdatesAsync(updates, cancellationToken);

    public Task<WebhookDeliveryStats> GetDeliveryStatsAsync(string subscriptionId, CancellationToken cancellationToken = default) =>
        inner.GetDeliveryStatsAsync(subscriptionId, cancellationToken);

    public Task<IReadOnlyList<string>> GetSubscriptionsWithDueDeliveriesAsync(DateTimeOffset dueBefore, int max, CancellationToken cancellationToken = default) =>
        inner.GetSubscriptionsWithDueDeliveriesAsync(dueBefore, max, cancellationToken);

    public Task<int> PurgeDeliveryLogAsync(DateTimeOffset finishedBefore, int max, CancellationToken cancellationToken = default) =>
        inner.PurgeDeliveryLogAsync(finishedBefore, max, cancellationToken);

    public Task<IReadOnlyList<JsonElement>> ListAsync(EntityKind kind, QueryFilter filter, CancellationToken cancellationToken = default) =>
        inner.ListAsync(kind, filter, cancellationToken);

    public Task<long> CountAsync(EntityKind kind, FilterNode? where, CancellationToken cancellationToken = default) =>
        inner.CountAsync(kind, where, cancellationToken);

    public Task<JsonElement?> GetAsync(EntityKind kind, string id, IReadOnlyList<string>? fields, CancellationToken cancellationToken = default) =>
        inner.GetAsync(kind, id, fields, cancellationToken);

    public Task<IReadOnlyList<string>> FindIdsAsync(EntityKind kind, FilterNode? where, int limit, CancellationToken cancellationToken = default) =>
        inner.FindIdsAsync(kind, where, limit, cancellationToken);

    private static async Task<IReadOnlyList<T>> NonNull<T>(Task<IReadOnlyList<T>?> list) => await list ?? [];
}
