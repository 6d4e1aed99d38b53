using System.Collections.Concurrent;
using System.Text.Json;
using TaskService.ClientApps;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Queries;
using TaskService.Tasks;
using TaskService.Errors;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Storage.InMemory;

/// <summary>
/// The embedded default store: everything in this process's memory. Meant for a single silo; a cluster uses PostgreSQL.
/// </summary>
public sealed class InMemoryTaskServiceStore(TimeProvider time) : ITaskServiceStore
{
    private readonly InMemoryTable<EventRecord> _events = new(EntitySchemas.Event, e => e.Id);
    private readonly InMemoryTable<TaskRecord> _tasks = new(EntitySchemas.Task, t => t.Id, t => t.Deleted);
    private readonly InMemoryTable<UserTaskRecord> _userTasks = new(EntitySchemas.UserTask, u => u.Id, u => u.Deleted);
    private readonly InMemoryTable<TaskHistoryEntry> _history = new(EntitySchemas.TaskHistory, h => h.Id);
    private readonly InMemoryTable<EventWorkflowMapping> _eventMappings = new(EntitySchemas.EventMapping, m => m.Id, m => m.Deleted);
    private readonly InMemoryTable<TaskWorkflowMapping> _taskMappings = new(EntitySchemas.TaskMapping, m => m.Id, m => m.Deleted);
    private readonly InMemoryTable<ClientAppRecord> _clientApps = new(EntitySchemas.ClientApp, a => a.Id);
    private readonly InMemoryTable<WebhookSubscriptionRecord> _subscriptions = new(EntitySchemas.WebhookSubscription, s => s.Id);
    private readonly InMemoryTable<WorkflowRecord> _workflows = new(EntitySchemas.Workflow, w => w.Id, w => w.Deleted);
    private readonly InMemoryTable<WorkflowInstanceSummary> _instances = new(EntitySchemas.WorkflowInstance, i => i.Id);
    private readonly Dictionary<string, IReadOnlyList<WorkflowVersionRecord>> _workflowVersions = new(StringComparer.Ordinal);

    /// <summary>The recorded events not yet routed (as <c>main.unrouted_events</c> holds them): the sweeper reads only these.</summary>
    private readonly Dictionary<string, EventRecord> _unroutedEvents = new(StringComparer.Ordinal);

    // An instance has one writer (its grain), so its state, row and due time need no lock between them: concurrent writes are
    // to different instances, which these dictionaries take without serializing them.
    private readonly ConcurrentDictionary<string, string> _instanceStates = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, DateTimeOffset> _instancesDue = new(StringComparer.Ordinal);
    private readonly InMemoryOutbox _outbox = new(time);
    private readonly InMemoryDeliveryLog _deliveries = new();
    private readonly Dictionary<string, ClientAppRow> _clientAppsByKey = new(StringComparer.Ordinal);
    private readonly Lock _taskLock = new();

    public Task<EventRecording> RecordEventAsync(EventRecord record, CancellationToken cancellationToken = default)
    {
        lock (_unroutedEvents)
        {
            if (_events.TryAdd(record))
            {
                _unroutedEvents[record.Id] = record;
                return Task.FromResult(EventRecording.New);
            }

            if (_events.Get(record.Id) is { } recorded && !EventRecord.SameContent(recorded, record))
            {
                return Task.FromResult(EventRecording.Conflict);
            }

            return Task.FromResult(_unroutedEvents.ContainsKey(record.Id) ? EventRecording.Unrouted : EventRecording.Routed);
        }
    }

    public Task MarkEventRoutedAsync(string eventId, CancellationToken cancellationToken = default)
    {
        lock (_unroutedEvents)
        {
            _unroutedEvents.Remove(eventId);
        }

        return Task.CompletedTask;
    }

    public Task MarkEventsRoutedAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default)
    {
        lock (_unroutedEvents)
        {
            foreach (var eventId in eventIds)
            {
                _unroutedEvents.Remove(eventId);
            }
        }

        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<EventRecord>> GetUnroutedEventsAsync(DateTimeOffset recordedBefore, int max, EventRecord? after = null, CancellationToken cancellationToken = default)
    {
        var before = recordedBefore.ToUnixTimeMilliseconds();
        lock (_unroutedEvents)
        {
            return Task.FromResult<IReadOnlyList<EventRecord>>(_unroutedEvents.Values
                .Where(e => e.Timestamp < before
                    && (after is null || e.Timestamp > after.Timestamp || (e.Timestamp == after.Timestamp && string.CompareOrdinal(e.Id, after.Id) > 0)))
                .OrderBy(e => e.Timestamp)
                .ThenBy(e => e.Id, StringComparer.Ordinal)
                .Take(Math.Max(max, 0))
                .ToArray());
        }
    }

    public Task<TaskAggregate?> LoadTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        // A task being created is looked up first and not found: the table answers that without the lock (and without looking
        // through the user tasks), so creating tasks does not queue behind every other task's save.
        if (_tasks.Get(taskId) is null)
        {
            return Task.FromResult<TaskAggregate?>(null);
        }

        lock (_taskLock)
        {
            var task = _tasks.Get(taskId);
            return Task.FromResult(task is null || task.Deleted
                ? null
                : new TaskAggregate(task, _userTasks.Records.Where(u => u.TaskId == taskId).OrderBy(u => u.CreatedOn).ThenBy(u => u.Id, StringComparer.Ordinal).ToArray()));
        }
    }

    public async Task<bool> TryCreateTaskAsync(TaskRecord task, TaskHistoryEntry created, CancellationToken cancellationToken = default) =>
        (await TryCreateTaskAsync(task, created, [], cancellationToken: cancellationToken)).Created;

    public Task<TaskCreation> TryCreateTaskAsync(
        TaskRecord task,
        TaskHistoryEntry created,
        IReadOnlyList<OutgoingEvent> outbox,
        TimeSpan? claimFor = null,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default)
    {
        lock (_taskLock)
        {
            if (!_tasks.TryAdd(task))
            {
                return Task.FromResult(TaskCreation.Existing);
            }

            _history.TryAdd(created);
            return Task.FromResult(new TaskCreation(true, AppendOutbox(outbox, claimFor, deliveries, dispatched)));
        }
    }

    public Task<IReadOnlyList<OutboxEntry>> SaveTaskAsync(
        TaskAggregate aggregate,
        IReadOnlyList<OutgoingEvent> outbox,
        IReadOnlyList<TaskHistoryEntry>? history = null,
        TimeSpan? claimFor = null,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default)
    {
        IReadOnlyList<OutboxEntry> claimed;
        lock (_taskLock)
        {
            claimed = AppendOutbox(outbox, claimFor, deliveries, dispatched);
            foreach (var entry in history ?? [])
            {
                _history.TryAdd(entry);
            }

            var taskId = aggregate.Task.Id;
            var keep = aggregate.UserTasks.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
            _userTasks.RemoveWhere(u => u.TaskId == taskId && !keep.Contains(u.Id));
            foreach (var userTask in aggregate.UserTasks)
            {
                _userTasks.Upsert(userTask);
            }

            _tasks.Upsert(aggregate.Task);
        }

        return Task.FromResult(claimed);
    }

    public Task DeleteTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        lock (_taskLock)
        {
            _userTasks.RemoveWhere(u => u.TaskId == taskId);
            _history.RemoveWhere(h => h.TaskId == taskId);
            _tasks.Remove(taskId);
        }

        return Task.CompletedTask;
    }

    public Task<bool> AddEventMappingAsync(EventWorkflowMapping mapping, CancellationToken cancellationToken = default) =>
        Task.FromResult(AddMapping(_eventMappings, mapping, m => (m.EventKey, m.WorkflowKey), m => m.Id, m => m.Deleted));

    public Task<bool> DeleteEventMappingAsync(string id, string? deletedBy, DateTimeOffset deletedOn, CancellationToken cancellationToken = default) =>
        Task.FromResult(DeleteMapping(_eventMappings, id, m => m.Deleted, m => m with { Deleted = true, DeletedOn = deletedOn, DeletedBy = deletedBy }));

    public Task<IReadOnlyList<EventWorkflowMapping>> GetEventMappingsAsync(string eventKey, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<EventWorkflowMapping>>(_eventMappings.Records.Where(m => m.EventKey == eventKey && !m.Deleted).OrderBy(m => m.CreatedOn).ToArray());

    public Task<bool> AddTaskMappingAsync(TaskWorkflowMapping mapping, CancellationToken cancellationToken = default) =>
        Task.FromResult(AddMapping(_taskMappings, mapping, m => (m.TaskKey, m.WorkflowKey), m => m.Id, m => m.Deleted));

    public Task<bool> DeleteTaskMappingAsync(string id, string? deletedBy, DateTimeOffset deletedOn, CancellationToken cancellationToken = default) =>
        Task.FromResult(DeleteMapping(_taskMappings, id, m => m.Deleted, m => m with { Deleted = true, DeletedOn = deletedOn, DeletedBy = deletedBy }));

    public Task<IReadOnlyList<TaskWorkflowMapping>> GetTaskMappingsAsync(string taskKey, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<TaskWorkflowMapping>>(_taskMappings.Records.Where(m => m.TaskKey == taskKey && !m.Deleted).OrderBy(m => m.CreatedOn).ToArray());

    public Task<bool> TryAddClientAppAsync(ClientAppRow row, CancellationToken cancellationToken = default)
    {
        lock (_clientAppsByKey)
        {
            if (!_clientAppsByKey.TryAdd(row.App.ApiKey, row))
            {
                return Task.FromResult(false);
            }

            _clientApps.Upsert(row.App);
            return Task.FromResult(true);
        }
    }

    public Task<ClientAppRow?> GetClientAppByKeyAsync(string apiKey, CancellationToken cancellationToken = default)
    {
        lock (_clientAppsByKey)
        {
            return Task.FromResult(_clientAppsByKey.GetValueOrDefault(apiKey));
        }
    }

    public Task UpdateClientAppSecretsAsync(ClientAppRow row, CancellationToken cancellationToken = default)
    {
        lock (_clientAppsByKey)
        {
            if (_clientAppsByKey.ContainsKey(row.App.ApiKey))
            {
                _clientAppsByKey[row.App.ApiKey] = row;
            }
        }

        return Task.CompletedTask;
    }

    public Task<ClientAppRow?> GetClientAppAsync(string id, CancellationToken cancellationToken = default)
    {
        var app = _clientApps.Get(id);
        return app is null ? Task.FromResult<ClientAppRow?>(null) : GetClientAppByKeyAsync(app.ApiKey, cancellationToken);
    }

    public Task SaveSubscriptionAsync(WebhookSubscriptionRecord subscription, CancellationToken cancellationToken = default)
    {
        _subscriptions.Upsert(subscription);
        return Task.CompletedTask;
    }

    public Task<WebhookSubscriptionRecord?> GetSubscriptionAsync(string id, CancellationToken cancellationToken = default) =>
        Task.FromResult(_subscriptions.Get(id));

    public Task DeleteSubscriptionAsync(string id, CancellationToken cancellationToken = default)
    {
        _subscriptions.Remove(id);
        _deliveries.DeleteSubscription(id);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<WebhookSubscriptionRecord>> GetActiveSubscriptionsAsync(string key, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<WebhookSubscriptionRecord>>(
            _subscriptions.Records.Where(s => s.Key == key && s.Status == WebhookSubscriptionStatus.Active).ToArray());

    public Task<WorkflowAggregate?> LoadWorkflowAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        lock (_workflowVersions)
        {
            var workflow = _workflows.Get(workflowId);
            return Task.FromResult(workflow is null || workflow.Deleted ? null : new WorkflowAggregate(workflow, _workflowVersions.GetValueOrDefault(workflowId) ?? []));
        }
    }

    public Task SaveWorkflowAsync(WorkflowAggregate aggregate, CancellationToken cancellationToken = default)
    {
        lock (_workflowVersions)
        {
            var processId = aggregate.Workflow.ExternalIdentifier;
            if (!aggregate.Workflow.Deleted
                && _workflows.Records.FirstOrDefault(w => w.ExternalIdentifier == processId && w.Id != aggregate.Workflow.Id && !w.Deleted) is { } other)
            {
                throw TaskServiceException.Conflict("bpmnFile",
                    $"Workflow '{other.Id}' already deploys process '{processId}'; deploy a new version of it with PATCH /workflows/{other.Id}.");
            }

            _workflows.Upsert(aggregate.Workflow);
            _workflowVersions[aggregate.Workflow.Id] = aggregate.Versions;
        }

        return Task.CompletedTask;
    }

    public Task<LiveWorkflow?> FindLiveWorkflowAsync(string processId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_workflows.Records.FirstOrDefault(w => w.ExternalIdentifier == processId && !w.Deleted) is { } live
            ? new LiveWorkflow(live.Id, live.WorkflowVersion)
            : null);

    public Task<IReadOnlyList<DueWorkflowInstance>> GetDueWorkflowInstancesAsync(DateTimeOffset dueBefore, int max, DueWorkflowInstance? after = null, CancellationToken cancellationToken = default) =>
        Task.FromResult<IReadOnlyList<DueWorkflowInstance>>(
        [
            .. _instancesDue
                .Where(d => d.Value < dueBefore
                    && (after is null || d.Value > after.DueOn || (d.Value == after.DueOn && string.CompareOrdinal(d.Key, after.Id) > 0)))
                .OrderBy(d => d.Value)
                .ThenBy(d => d.Key, StringComparer.Ordinal)
                .Take(Math.Max(max, 0))
                .Select(d => new DueWorkflowInstance(d.Key, d.Value)),
        ]);

    public Task SaveWorkflowInstanceAsync(WorkflowInstanceSummary summary, string state, DateTimeOffset? dueOn = null, CancellationToken cancellationToken = default)
    {
        _instanceStates[summary.Id] = state;
        PutInstance(summary, dueOn);
        return Task.CompletedTask;
    }

    public Task<bool> TryCreateWorkflowInstanceAsync(WorkflowInstanceSummary summary, string state, DateTimeOffset? dueOn = null, CancellationToken cancellationToken = default)
    {
        if (!_instanceStates.TryAdd(summary.Id, state))
        {
            return Task.FromResult(false);
        }

        PutInstance(summary, dueOn);
        return Task.FromResult(true);
    }

    /// <summary>Writes an instance's row and due time, after its state.</summary>
    private void PutInstance(WorkflowInstanceSummary summary, DateTimeOffset? dueOn)
    {
        _instances.Upsert(summary);
        if (dueOn is { } due)
        {
            _instancesDue[summary.Id] = due;
        }
        else
        {
            _instancesDue.TryRemove(summary.Id, out _);
        }
    }

    public Task<string?> LoadWorkflowInstanceStateAsync(string instanceId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_instanceStates.GetValueOrDefault(instanceId));

    public Task AppendOutboxAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default)
    {
        _outbox.Append(events);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<OutboxEntry>> AppendClaimedOutboxAsync(
        IReadOnlyList<OutgoingEvent> events,
        TimeSpan lease,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default) =>
        Task.FromResult(AppendOutbox(events, lease, deliveries, dispatched));

    /// <summary>
    /// Appends the events to the outbox, claimed when <paramref name="claimFor"/> is given, with the delivery rows of the events
    /// added, and dispatched with them when <paramref name="dispatched"/>; returns the entries added claimed, with their rows
    /// (nothing when unclaimed).
    /// </summary>
    private IReadOnlyList<OutboxEntry> AppendOutbox(
        IReadOnlyList<OutgoingEvent> events, TimeSpan? claimFor, IReadOnlyList<QueuedDelivery>? deliveries, bool dispatched)
    {
        var added = _outbox.Append(events, claimFor);
        if (claimFor is null)
        {
            return [];
        }

        if (deliveries is null || added.Count == 0)
        {
            return added;
        }

        var addedIds = added.Select(e => e.Event.Id).ToHashSet(StringComparer.Ordinal);
        var rows = _deliveries.Append([.. deliveries.Where(d => addedIds.Contains(d.Event.Id))]);
        if (dispatched)
        {
            _outbox.MarkDispatched([.. added.Select(e => e.Sequence)]);
        }

        return OutboxEntry.WithDeliveries(added, rows, dispatched);
    }

    public Task<IReadOnlyList<OutboxEntry>> ClaimOutboxAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default) =>
        Task.FromResult(_outbox.Claim(max, lease));

    public Task<OutboxBacklog> GetOutboxBacklogAsync(CancellationToken cancellationToken = default) =>
        Task.FromResult(_outbox.Backlog());

    public Task MarkDispatchedAsync(IReadOnlyList<long> sequences, CancellationToken cancellationToken = default)
    {
        _outbox.MarkDispatched(sequences);
        return Task.CompletedTask;
    }

    public Task<IReadOnlyList<QueuedDelivery>> AppendDeliveriesAsync(IReadOnlyList<QueuedDelivery> deliveries, CancellationToken cancellationToken = default) =>
        Task.FromResult(_deliveries.Append(deliveries));

    public Task<IReadOnlyList<QueuedDelivery>> GetPendingDeliveriesAsync(string subscriptionId, int max, CancellationToken cancellationToken = default) =>
        Task.FromResult(_deliveries.Pending(subscriptionId, max));

    public Task<QueuedDelivery?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_deliveries.Get(deliveryId));

    public Task RecordDeliveryUpdatesAsync(IReadOnlyList<WebhookDeliveryUpdate> updates, CancellationToken cancellationToken = default)
    {
        _deliveries.Record(updates);
        return Task.CompletedTask;
    }

    public Task<WebhookDeliveryStats> GetDeliveryStatsAsync(string subscriptionId, CancellationToken cancellationToken = default) =>
        Task.FromResult(_deliveries.Stats(subscriptionId));

    public Task<IReadOnlyList<string>> GetSubscriptionsWithDueDeliveriesAsync(DateTimeOffset dueBefore, int max, CancellationToken cancellationToken = default) =>
        Task.FromResult(_deliveries.DueSubscriptions(dueBefore, max));

    public Task<int> PurgeDeliveryLogAsync(DateTimeOffset finishedBefore, int max, CancellationToken cancellationToken = default) =>
        Task.FromResult(_deliveries.Purge(finishedBefore, max));

    public Task<int> PurgeOutboxAsync(DateTimeOffset writtenBefore, int max, CancellationToken cancellationToken = default) =>
        Task.FromResult(_outbox.Purge(writtenBefore, max));

    public Task<IReadOnlyList<JsonElement>> ListAsync(EntityKind kind, QueryFilter filter, CancellationToken cancellationToken = default) =>
        Task.FromResult(Table(kind).List(filter));

    public Task<long> CountAsync(EntityKind kind, FilterNode? where, CancellationToken cancellationToken = default) =>
        Task.FromResult(Table(kind).Count(where));

    public Task<JsonElement?> GetAsync(EntityKind kind, string id, IReadOnlyList<string>? fields, CancellationToken cancellationToken = default) =>
        Task.FromResult(Table(kind).GetJson(id, fields));

    public Task<IReadOnlyList<string>> FindIdsAsync(EntityKind kind, FilterNode? where, int limit, CancellationToken cancellationToken = default) =>
        Task.FromResult(Table(kind).FindIds(where, limit));

    /// <summary>Adds the mapping unless its id or a live mapping with its keys is there: the partial unique index of PostgreSQL.</summary>
    private static bool AddMapping<T>(InMemoryTable<T> table, T mapping, Func<T, (string, string)> keys, Func<T, string> id, Func<T, bool> deleted)
        where T : class
    {
        lock (table)
        {
            var wanted = keys(mapping);
            if (table.Get(id(mapping)) is not null || table.Records.Any(m => !deleted(m) && keys(m) == wanted))
            {
                return false;
            }

            table.Upsert(mapping);
            return true;
        }
    }

    private static bool DeleteMapping<T>(InMemoryTable<T> table, string id, Func<T, bool> deleted, Func<T, T> softDelete)
        where T : class
    {
        lock (table)
        {
            if (table.Get(id) is not { } mapping || deleted(mapping))
            {
                return false;
            }

            table.Upsert(softDelete(mapping));
            return true;
        }
    }

    private IQueryableTable Table(EntityKind kind) => kind switch
    {
        EntityKind.Event => _events,
        EntityKind.Task => _tasks,
        EntityKind.UserTask => _userTasks,
        EntityKind.EventMapping => _eventMappings,
        EntityKind.TaskMapping => _taskMappings,
        EntityKind.ClientApp => _clientApps,
        EntityKind.WebhookSubscription => _subscriptions,
        EntityKind.Workflow => _workflows,
        EntityKind.WorkflowInstance => _instances,
        EntityKind.WebhookDelivery => _deliveries.Deliveries,
        EntityKind.WebhookDeliveryAttempt => _deliveries.Attempts,
        EntityKind.TaskHistory => _history,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown entity kind."),
    };
}
