using System.Text.Json;
using TaskService.ClientApps;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Queries;
using TaskService.Tasks;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Storage;

/// <summary>
/// The task service's tables. Entity grains are the only writers of their rows, and a row is its grain's state,
/// so the queryable data and the grains never disagree. List and count reads are served here, never by grains.
/// </summary>
public interface ITaskServiceStore
{
    /// <summary>Records the event unless one with the same id exists, and tells whether it was new, or known and routed yet.</summary>
    Task<EventRecording> RecordEventAsync(EventRecord record, CancellationToken cancellationToken = default);

    /// <summary>Notes that the workflows mapped to the event were started.</summary>
    Task MarkEventRoutedAsync(string eventId, CancellationToken cancellationToken = default);

    /// <summary>Notes that the workflows mapped to each of the events were started, in one write.</summary>
    Task MarkEventsRoutedAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default);

    /// <summary>
    /// Recorded events whose workflows were not started, recorded before <paramref name="recordedBefore"/>, oldest first (by
    /// timestamp, then id in ordinal order); with <paramref name="after"/>, only those after that event in this order, so that a
    /// caller pages through them all whatever happens to the ones it has read.
    /// </summary>
    Task<IReadOnlyList<EventRecord>> GetUnroutedEventsAsync(DateTimeOffset recordedBefore, int max, EventRecord? after = null, CancellationToken cancellationToken = default);

    Task<TaskAggregate?> LoadTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a new task, without user tasks, with its first history entry, unless a row with its id is there (deleted or
    /// not): then nothing is written and the answer is false. A task created by a workflow step needs no read first this way;
    /// only a rerun of the step finds its row.
    /// </summary>
    Task<bool> TryCreateTaskAsync(TaskRecord task, TaskHistoryEntry created, CancellationToken cancellationToken = default);

    /// <summary>
    /// <see cref="TryCreateTaskAsync(TaskRecord, TaskHistoryEntry, CancellationToken)"/> with the outgoing events of the creation:
    /// when the task is written, the events are appended to the outbox in the same transaction, as <see cref="SaveTaskAsync"/>
    /// appends them (claimed for <paramref name="claimFor"/>, with the <paramref name="deliveries"/> of those added); when its row
    /// is there, nothing is written, the events neither, and the answer says so (<see cref="TaskCreation.Created"/> false).
    /// With <paramref name="dispatched"/>, they are written dispatched (see <see cref="AppendClaimedOutboxAsync"/>).
    /// </summary>
    Task<TaskCreation> TryCreateTaskAsync(
        TaskRecord task,
        TaskHistoryEntry created,
        IReadOnlyList<OutgoingEvent> outbox,
        TimeSpan? claimFor = null,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the task, replaces its user tasks with the given ones, appends the outgoing events the change caused to the
    /// outbox and the change's <paramref name="history"/> entries (an entry whose id is there already is not added again), all
    /// in one transaction: when the save fails, no history entry of it remains. With <paramref name="claimFor"/>, the outgoing
    /// events are written claimed for that long and the entries added are returned, for this silo's dispatcher to take at once
    /// (see <see cref="AppendClaimedOutboxAsync"/>, also for <paramref name="deliveries"/> and <paramref name="dispatched"/>);
    /// without it, nothing is returned.
    /// </summary>
    Task<IReadOnlyList<OutboxEntry>> SaveTaskAsync(
        TaskAggregate aggregate,
        IReadOnlyList<OutgoingEvent> outbox,
        IReadOnlyList<TaskHistoryEntry>? history = null,
        TimeSpan? claimFor = null,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default);

    Task DeleteTaskAsync(string taskId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Adds the mapping unless a live (not deleted) mapping has the same keys or the same id. Returns true when it was added.
    /// Deleted mappings do not hold their keys: the same keys can be mapped again after a delete.
    /// </summary>
    Task<bool> AddEventMappingAsync(EventWorkflowMapping mapping, CancellationToken cancellationToken = default);

    /// <summary>Soft-deletes the mapping (deleted, deletedOn, deletedBy). Returns false when there is no live mapping with that id.</summary>
    Task<bool> DeleteEventMappingAsync(string id, string? deletedBy, DateTimeOffset deletedOn, CancellationToken cancellationToken = default);

    /// <summary>The live mappings of the event key, oldest first.</summary>
    Task<IReadOnlyList<EventWorkflowMapping>> GetEventMappingsAsync(string eventKey, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="AddEventMappingAsync"/>
    Task<bool> AddTaskMappingAsync(TaskWorkflowMapping mapping, CancellationToken cancellationToken = default);

    /// <inheritdoc cref="DeleteEventMappingAsync"/>
    Task<bool> DeleteTaskMappingAsync(string id, string? deletedBy, DateTimeOffset deletedOn, CancellationToken cancellationToken = default);

    /// <summary>The live mappings of the task key, oldest first.</summary>
    Task<IReadOnlyList<TaskWorkflowMapping>> GetTaskMappingsAsync(string taskKey, CancellationToken cancellationToken = default);

    /// <summary>Adds the app unless its API key is taken. Returns true when it was added.</summary>
    Task<bool> TryAddClientAppAsync(ClientAppRow row, CancellationToken cancellationToken = default);

    Task<ClientAppRow?> GetClientAppByKeyAsync(string apiKey, CancellationToken cancellationToken = default);

    Task<ClientAppRow?> GetClientAppAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Writes the app's secrets (a rotation): the current one and the previous one with the end of its validity.</summary>
    Task UpdateClientAppSecretsAsync(ClientAppRow row, CancellationToken cancellationToken = default);

    Task SaveSubscriptionAsync(WebhookSubscriptionRecord subscription, CancellationToken cancellationToken = default);

    Task<WebhookSubscriptionRecord?> GetSubscriptionAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>Deletes the subscription and its delivery log.</summary>
    Task DeleteSubscriptionAsync(string id, CancellationToken cancellationToken = default);

    /// <summary>The active subscriptions whose key equals <paramref name="key"/>.</summary>
    Task<IReadOnlyList<WebhookSubscriptionRecord>> GetActiveSubscriptionsAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>The workflow and its versions; null when there is none or it is deleted.</summary>
    Task<WorkflowAggregate?> LoadWorkflowAsync(string workflowId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the workflow and replaces its versions. Fails with a conflict when another live workflow has the same process id.
    /// A workflow saved with <see cref="WorkflowRecord.Deleted"/> is the soft delete: kept, hidden from every read, and its
    /// process id free for a new workflow.
    /// </summary>
    Task SaveWorkflowAsync(WorkflowAggregate aggregate, CancellationToken cancellationToken = default);

    /// <summary>
    /// The live workflow whose BPMN process id is <paramref name="processId"/>, with its current version, or null. Every event
    /// that starts a workflow asks this, so the caching store answers it from memory.
    /// </summary>
    Task<LiveWorkflow?> FindLiveWorkflowAsync(string processId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a workflow instance: its queryable row, its engine state (JSON) and when it next has a command to run
    /// (<paramref name="dueOn"/>, null for none), in one statement.
    /// </summary>
    Task SaveWorkflowInstanceAsync(WorkflowInstanceSummary summary, string state, DateTimeOffset? dueOn = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes a new workflow instance as <see cref="SaveWorkflowInstanceAsync"/> does, but only when no row has its id: a start
    /// needs no read first. False when the row was there (the instance was started before), and then nothing is written.
    /// </summary>
    Task<bool> TryCreateWorkflowInstanceAsync(WorkflowInstanceSummary summary, string state, DateTimeOffset? dueOn = null, CancellationToken cancellationToken = default);

    /// <summary>
    /// Workflow instances with a command due before <paramref name="dueBefore"/>, most overdue first (then by id in ordinal
    /// order); with <paramref name="after"/>, only those after it in this order, so that a caller pages through them all.
    /// </summary>
    Task<IReadOnlyList<DueWorkflowInstance>> GetDueWorkflowInstancesAsync(DateTimeOffset dueBefore, int max, DueWorkflowInstance? after = null, CancellationToken cancellationToken = default);

    /// <summary>The engine state of a workflow instance as last saved, or null.</summary>
    Task<string?> LoadWorkflowInstanceStateAsync(string instanceId, CancellationToken cancellationToken = default);

    /// <summary>Appends outgoing events to the outbox; an event whose id is there already is not added again.</summary>
    Task AppendOutboxAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends outgoing events to the outbox already claimed for <paramref name="lease"/> by the caller, who hands them over
    /// at once (no other dispatcher takes them until the claim runs out). Returns the entries added, in order; an event whose
    /// id is there already is neither added nor returned.
    /// </summary>
    /// <param name="deliveries">
    /// The webhook delivery rows of <paramref name="events"/>, built by the caller as the webhook connector builds them (one per
    /// event and active subscription of its key, in production order), or null. Those of the events added are appended in the
    /// same transaction, as <see cref="AppendDeliveriesAsync"/> appends them (insert-if-absent, sequence in the given order), and
    /// come back on their entries (<see cref="OutboxEntry.Deliveries"/>), so the dispatcher hands them to their subscriptions
    /// without appending them again; an event that was there already gets none. With null, no row is appended and the entries
    /// come back without rows (the webhook connector appends them when it is handed the entries).
    /// </param>
    /// <param name="dispatched">
    /// True when the <paramref name="deliveries"/> are all there is to hand the events over (the webhook connector is the
    /// dispatcher's only one): the entries are written dispatched, and come back so (<see cref="OutboxEntry.Dispatched"/>), as
    /// their delivery rows, written with them, are delivered whatever happens to the dispatcher. Only with deliveries.
    /// </param>
    Task<IReadOnlyList<OutboxEntry>> AppendClaimedOutboxAsync(
        IReadOnlyList<OutgoingEvent> events,
        TimeSpan lease,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default);

    /// <summary>
    /// Claims up to <paramref name="max"/> undelivered outbox entries, oldest first, that no one else holds a claim on, for
    /// <paramref name="lease"/>. An entry whose claim ran out (its dispatcher crashed) is claimed again.
    /// </summary>
    Task<IReadOnlyList<OutboxEntry>> ClaimOutboxAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default);

    /// <summary>Marks outbox entries as handed to every outgoing connector.</summary>
    Task MarkDispatchedAsync(IReadOnlyList<long> sequences, CancellationToken cancellationToken = default);

    /// <summary>How many outbox entries wait to be dispatched and when the oldest was written: one small read, for the metrics.</summary>
    Task<OutboxBacklog> GetOutboxBacklogAsync(CancellationToken cancellationToken = default);

    /// <summary>
    /// Appends deliveries, pending, in the given order (their sequence follows it), in one write: all or none. A delivery whose
    /// id is there already is neither added nor returned. Returns the ones added with their sequence, in order.
    /// </summary>
    Task<IReadOnlyList<QueuedDelivery>> AppendDeliveriesAsync(IReadOnlyList<QueuedDelivery> deliveries, CancellationToken cancellationToken = default);

    /// <summary>Up to <paramref name="max"/> pending deliveries of the subscription, in sequence order.</summary>
    Task<IReadOnlyList<QueuedDelivery>> GetPendingDeliveriesAsync(string subscriptionId, int max, CancellationToken cancellationToken = default);

    /// <summary>One delivery with its event, or null.</summary>
    Task<QueuedDelivery?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes the outcomes of delivery attempts, in the given order, in one write: each delivery's row and each attempt's row.
    /// Updates of deliveries that are gone (their subscription was deleted) are skipped.
    /// </summary>
    Task RecordDeliveryUpdatesAsync(IReadOnlyList<WebhookDeliveryUpdate> updates, CancellationToken cancellationToken = default);

    /// <summary>The subscription's deliveries counted by status, and the last error of any of its deliveries or attempts.</summary>
    Task<WebhookDeliveryStats> GetDeliveryStatsAsync(string subscriptionId, CancellationToken cancellationToken = default);

    /// <summary>Ids of subscriptions with a pending delivery whose next attempt was due before <paramref name="dueBefore"/>.</summary>
    Task<IReadOnlyList<string>> GetSubscriptionsWithDueDeliveriesAsync(DateTimeOffset dueBefore, int max, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes up to <paramref name="max"/> delivered and failed deliveries last changed before <paramref name="finishedBefore"/>,
    /// with their attempts. Returns how many deliveries were deleted.
    /// </summary>
    Task<int> PurgeDeliveryLogAsync(DateTimeOffset finishedBefore, int max, CancellationToken cancellationToken = default);

    /// <summary>
    /// Deletes dispatched outbox entries written before <paramref name="writtenBefore"/>, looking at the <paramref name="max"/>
    /// oldest dispatched entries (entries not dispatched yet stay, whatever their age, and are passed over). Returns how many
    /// were deleted. An event whose entry is deleted can be appended again.
    /// </summary>
    Task<int> PurgeOutboxAsync(DateTimeOffset writtenBefore, int max, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<JsonElement>> ListAsync(EntityKind kind, QueryFilter filter, CancellationToken cancellationToken = default);

    Task<long> CountAsync(EntityKind kind, FilterNode? where, CancellationToken cancellationToken = default);

    Task<JsonElement?> GetAsync(EntityKind kind, string id, IReadOnlyList<string>? fields, CancellationToken cancellationToken = default);

    Task<IReadOnlyList<string>> FindIdsAsync(EntityKind kind, FilterNode? where, int limit, CancellationToken cancellationToken = default);
}

/// <summary>A workflow instance with a command due at <paramref name="DueOn"/>.</summary>
public sealed record DueWorkflowInstance(string Id, DateTimeOffset DueOn);
