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
/// once, and through <see cref="IStoreCacheBroadcast"/> clear the same kind of rows in every other silo before the change is
/// answered, so a mapping or subscription added through one silo is used by all of them from then on. Empty answers are kept
/// too: an event or task key without a mapping costs no read. <see cref="StoreCacheOptions.Ttl"/> bounds what a silo that missed
/// a clear (it did not answer in time) serves, and what a write made outside the service (by hand, in the database) takes to show.
/// </summary>
public sealed class CachingTaskServiceStore(
    ITaskServiceStore inner,
    IOptions<StoreCacheOptions> options,
    TimeProvider time,
    IStoreCacheBroadcast? broadcast = null) : ITaskServiceStore
{
    private readonly ReadCache<IReadOnlyList<EventWorkflowMapping>> _eventMappings = new(options.Value.Ttl, time);
    private readonly ReadCache<IReadOnlyList<TaskWorkflowMapping>> _taskMappings = new(options.Value.Ttl, time);
    private readonly ReadCache<LiveWorkflow> _liveWorkflows = new(options.Value.Ttl, time);
    private readonly ReadCache<ClientAppRow> _clientApps = new(options.Value.Ttl, time);
    private readonly ReadCache<IReadOnlyList<WebhookSubscriptionRecord>> _subscriptions = new(options.Value.Ttl, time);

    public Task<IReadOnlyList<EventWorkflowMapping>> GetEventMappingsAsync(string eventKey, CancellationToken cancellationToken = default) =>
        NonNull(_eventMappings.GetAsync(eventKey, async read => await inner.GetEventMappingsAsync(eventKey, read), cancellationToken));

    public Task<IReadOnlyList<TaskWorkflowMapping>> GetTaskMappingsAsync(string taskKey, CancellationToken cancellationToken = default) =>
        NonNull(_taskMappings.GetAsync(taskKey, async read => await inner.GetTaskMappingsAsync(taskKey, read), cancellationToken));

    public Task<LiveWorkflow?> FindLiveWorkflowAsync(string processId, CancellationToken cancellationToken = default) =>
        _liveWorkflows.GetAsync(processId, read => inner.FindLiveWorkflowAsync(processId, read), cancellationToken);

    public Task<ClientAppRow?> GetClientAppAsync(string id, CancellationToken cancellationToken = default) =>
        _clientApps.GetAsync(id, read => inner.GetClientAppAsync(id, read), cancellationToken);

    public Task<IReadOnlyList<WebhookSubscriptionRecord>> GetActiveSubscriptionsAsync(string key, CancellationToken cancellationToken = default) =>
        NonNull(_subscriptions.GetAsync(key, async read => await inner.GetActiveSubscriptionsAsync(key, read), cancellationToken));

    /// <summary>Clears the cached rows of the given kinds in this silo.</summary>
    internal void Clear(CachedRows rows)
    {
        if (rows.HasFlag(CachedRows.EventMappings))
        {
            _eventMappings.Clear();
        }

        if (rows.HasFlag(CachedRows.TaskMappings))
        {
            _taskMappings.Clear();
        }

        if (rows.HasFlag(CachedRows.WorkflowIds))
        {
            _liveWorkflows.Clear();
        }

        if (rows.HasFlag(CachedRows.ClientApps))
        {
            _clientApps.Clear();
        }

        if (rows.HasFlag(CachedRows.Subscriptions))
        {
            _subscriptions.Clear();
        }
    }

    /// <summary>After a change: clears the rows here, then in every other silo.</summary>
    private async Task ChangedAsync(CachedRows rows)
    {
        Clear(rows);
        if (broadcast is not null)
        {
            await broadcast.ClearElsewhereAsync(rows);
        }
    }

    public async Task<bool> AddEventMappingAsync(EventWorkflowMapping mapping, CancellationToken cancellationToken = default)
    {
        var added = await inner.AddEventMappingAsync(mapping, cancellationToken);
        await ChangedAsync(CachedRows.EventMappings);
        return added;
    }

    public async Task<bool> DeleteEventMappingAsync(string id, string? deletedBy, DateTimeOffset deletedOn, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteEventMappingAsync(id, deletedBy, deletedOn, cancellationToken);
        await ChangedAsync(CachedRows.EventMappings);
        return deleted;
    }

    public async Task<bool> AddTaskMappingAsync(TaskWorkflowMapping mapping, CancellationToken cancellationToken = default)
    {
        var added = await inner.AddTaskMappingAsync(mapping, cancellationToken);
        await ChangedAsync(CachedRows.TaskMappings);
        return added;
    }

    public async Task<bool> DeleteTaskMappingAsync(string id, string? deletedBy, DateTimeOffset deletedOn, CancellationToken cancellationToken = default)
    {
        var deleted = await inner.DeleteTaskMappingAsync(id, deletedBy, deletedOn, cancellationToken);
        await ChangedAsync(CachedRows.TaskMappings);
        return deleted;
    }

    public async Task SaveWorkflowAsync(WorkflowAggregate aggregate, CancellationToken cancellationToken = default)
    {
        await inner.SaveWorkflowAsync(aggregate, cancellationToken);
        await ChangedAsync(CachedRows.WorkflowIds);
    }

    public async Task SaveSubscriptionAsync(WebhookSubscriptionRecord subscription, CancellationToken cancellationToken = default)
    {
        await inner.SaveSubscriptionAsync(subscription, cancellationToken);
        await ChangedAsync(CachedRows.Subscriptions);
    }

    public async Task DeleteSubscriptionAsync(string id, CancellationToken cancellationToken = default)
    {
        await inner.DeleteSubscriptionAsync(id, cancellationToken);
        await ChangedAsync(CachedRows.Subscriptions);
    }

    public Task<EventRecording> RecordEventAsync(EventRecord record, CancellationToken cancellationToken = default) =>
        inner.RecordEventAsync(record, cancellationToken);

    public Task MarkEventRoutedAsync(string eventId, CancellationToken cancellationToken = default) =>
        inner.MarkEventRoutedAsync(eventId, cancellationToken);

    public Task MarkEventsRoutedAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default) =>
        inner.MarkEventsRoutedAsync(eventIds, cancellationToken);

    public Task<IReadOnlyList<EventRecord>> GetUnroutedEventsAsync(DateTimeOffset recordedBefore, int max, EventRecord? after = null, CancellationToken cancellationToken = default) =>
        inner.GetUnroutedEventsAsync(recordedBefore, max, after, cancellationToken);

    public Task<TaskAggregate?> LoadTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        inner.LoadTaskAsync(taskId, cancellationToken);

    public Task<bool> TryCreateTaskAsync(TaskRecord task, TaskHistoryEntry created, CancellationToken cancellationToken = default) =>
        inner.TryCreateTaskAsync(task, created, cancellationToken);

    public Task<TaskCreation> TryCreateTaskAsync(
        TaskRecord task,
        TaskHistoryEntry created,
        IReadOnlyList<OutgoingEvent> outbox,
        TimeSpan? claimFor = null,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default) =>
        inner.TryCreateTaskAsync(task, created, outbox, claimFor, deliveries, dispatched, cancellationToken);

    public Task<IReadOnlyList<OutboxEntry>> SaveTaskAsync(
        TaskAggregate aggregate,
        IReadOnlyList<OutgoingEvent> outbox,
        IReadOnlyList<TaskHistoryEntry>? history = null,
        TimeSpan? claimFor = null,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default) =>
        inner.SaveTaskAsync(aggregate, outbox, history, claimFor, deliveries, dispatched, cancellationToken);

    public Task DeleteTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        inner.DeleteTaskAsync(taskId, cancellationToken);

    public Task<bool> TryAddClientAppAsync(ClientAppRow row, CancellationToken cancellationToken = default) =>
        inner.TryAddClientAppAsync(row, cancellationToken);

    public Task<ClientAppRow?> GetClientAppByKeyAsync(string apiKey, CancellationToken cancellationToken = default) =>
        inner.GetClientAppByKeyAsync(apiKey, cancellationToken);

    public async Task UpdateClientAppSecretsAsync(ClientAppRow row, CancellationToken cancellationToken = default)
    {
        await inner.UpdateClientAppSecretsAsync(row, cancellationToken);

        // Every silo signs with the new secret once this returns (a silo that missed the clear, within the cache's time to live).
        await ChangedAsync(CachedRows.ClientApps);
    }

    public Task<WebhookSubscriptionRecord?> GetSubscriptionAsync(string id, CancellationToken cancellationToken = default) =>
        inner.GetSubscriptionAsync(id, cancellationToken);

    public Task<WorkflowAggregate?> LoadWorkflowAsync(string workflowId, CancellationToken cancellationToken = default) =>
        inner.LoadWorkflowAsync(workflowId, cancellationToken);

    public Task SaveWorkflowInstanceAsync(WorkflowInstanceSummary summary, string state, DateTimeOffset? dueOn = null, CancellationToken cancellationToken = default) =>
        inner.SaveWorkflowInstanceAsync(summary, state, dueOn, cancellationToken);

    public Task<IReadOnlyList<DueWorkflowInstance>> GetDueWorkflowInstancesAsync(DateTimeOffset dueBefore, int max, DueWorkflowInstance? after = null, CancellationToken cancellationToken = default) =>
        inner.GetDueWorkflowInstancesAsync(dueBefore, max, after, cancellationToken);

    public Task<bool> TryCreateWorkflowInstanceAsync(WorkflowInstanceSummary summary, string state, DateTimeOffset? dueOn = null, CancellationToken cancellationToken = default) =>
        inner.TryCreateWorkflowInstanceAsync(summary, state, dueOn, cancellationToken);

    public Task<string?> LoadWorkflowInstanceStateAsync(string instanceId, CancellationToken cancellationToken = default) =>
        inner.LoadWorkflowInstanceStateAsync(instanceId, cancellationToken);

    public Task AppendOutboxAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default) =>
        inner.AppendOutboxAsync(events, cancellationToken);

    public Task<IReadOnlyList<OutboxEntry>> AppendClaimedOutboxAsync(
        IReadOnlyList<OutgoingEvent> events,
        TimeSpan lease,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default) =>
        inner.AppendClaimedOutboxAsync(events, lease, deliveries, dispatched, cancellationToken);

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

    public Task<int> PurgeOutboxAsync(DateTimeOffset writtenBefore, int max, CancellationToken cancellationToken = default) =>
        inner.PurgeOutboxAsync(writtenBefore, max, cancellationToken);

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
