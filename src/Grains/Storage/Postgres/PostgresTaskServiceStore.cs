using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TaskService.ClientApps;
using TaskService.Errors;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Tasks;
using TaskService.Webhooks;
using TaskService.Workflows;
using static TaskService.Storage.Postgres.PostgresRows;

namespace TaskService.Storage.Postgres;

/// <summary>
/// The task service's tables in PostgreSQL (schema <c>main</c>, created by <c>scripts/sql</c>). Each save is one statement or
/// one transaction, so a row and the grain state it is never disagree after a crash. List and count reads compile the
/// LoopBack filter with <see cref="SqlFilterCompiler"/>; they answer exactly as <see cref="InMemory.InMemoryTaskServiceStore"/>.
/// </summary>
/// <remarks>
/// Secrets are stored as the caller gives them (the client app grain encrypts them). Instants keep microseconds (timestamptz)
/// and come back in UTC; JSON documents are jsonb, so they come back with jsonb's key order and cannot hold U+0000.
/// </remarks>
public sealed partial class PostgresTaskServiceStore : ITaskServiceStore
{
    private const string UniqueViolation = "23505";

    /// <summary>
    /// Writes queued before another batch starts beside a running one. Fuller batches cost PostgreSQL and the silo less per event
    /// than more of them at once: against 8, in four pairs of 15,000 events, 32 gave 13% more events/s and 17% less PostgreSQL
    /// CPU per event. With <see cref="SlowBatch"/> beside it, 128 against 32 (and no slow batch) carried 8-25% more events/s on
    /// the HTTP path in five rounds out of five, with 13-20% less CPU per event in all (the silo's, PostgreSQL's and the load
    /// process's); a Kafka burst on PostgreSQL was level (2,816 against 2,936 events/s on average over five rounds each, which
    /// ranged from 2,113 to 3,672).
    /// </summary>
    private const int WritesToStartAnotherBatch = 128;

    /// <summary>
    /// How long the batch started last may run before writes arriving meanwhile start another beside it, however few: a batch
    /// held up (a row lock, a slow commit) holds up the writes behind it this long at most, not until its command timeout. At
    /// the maximum a batch runs for 4-6 ms, so this mostly lets a batch take all that arrives while the one before it commits.
    /// </summary>
    private static readonly TimeSpan SlowBatch = TimeSpan.FromMilliseconds(5);
    private const string WorkflowProcessIdConstraint = "uq_workflows_external_identifier";

    private static readonly string[] TaskColumns =
    [
        "id", "\"key\"", "name", "description", "status", "priority", "severity", "\"type\"", "assignee_id", "start_date", "due_date",
        "end_date", "metadata", "external_id", "created_on", "modified_on", "notes", "event_id",
        "created_by", "modified_by", "deleted", "deleted_on", "deleted_by",
    ];

    private static readonly string UpsertTask = Upsert("main.tasks", "id", TaskColumns);

    private static readonly string UpsertUserTask = Upsert("main.user_tasks", "id",
        "id", "task_id", "name", "status", "external_id", "assignee", "candidate_groups", "due_date", "created_on", "modified_on",
        "created_by", "modified_by", "deleted", "deleted_on", "deleted_by", "form");

    private const string InsertHistory =
        "INSERT INTO main.task_history (id, task_id, user_task_id, action, changes, by_user, changed_on, position) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (id) DO NOTHING";

    // A mapping is inserted unless its id, or a live mapping with its keys, is there (the partial unique index of 0103).
    private const string InsertEventMapping =
        "INSERT INTO main.event_workflows (id, event_key, workflow_key, created_on, modified_on, created_by, modified_by) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";

    private const string InsertTaskMapping =
        "INSERT INTO main.task_workflows (id, task_key, workflow_key, created_on, modified_on, created_by, modified_by) " +
        "VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING";

    private static readonly string UpsertSubscription = Upsert("main.webhook_subscriptions", "id",
        "id", "url", "\"key\"", "client_app_id", "status", "status_reason", "created_on", "modified_on");

    private static readonly string UpsertWorkflow = Upsert("main.workflows", "id",
        "id", "name", "description", "external_identifier", "provider", "workflow_version", "inputschema", "created_on", "modified_on",
        "created_by", "modified_by", "deleted", "deleted_on", "deleted_by");

    private static readonly string UpsertWorkflowVersion = Upsert("main.workflow_versions", "workflow_id, \"version\"",
        "workflow_id", "\"version\"", "bpmn_diagram", "external_workflow_id", "inputschema", "created_on");

    private static readonly string[] WorkflowInstanceColumns =
        ["id", "workflow_id", "process_id", "\"version\"", "status", "incidents", "created_on", "modified_on", "ended_on", "state", "due_on"];

    /// <summary>
    /// The values of <see cref="WorkflowInstanceColumns"/> from four parameters (an instance is written on every step, and a
    /// parameter is an object of its own): its texts ($1: id, workflow id, process id, status), its integers ($2: version,
    /// incidents), its instants ($3: created, modified, ended, due) and its state ($4); see <see cref="WorkflowInstanceValues"/>.
    /// </summary>
    private static readonly string[] WorkflowInstancePacked =
        ["$1[1]", "$1[2]", "$1[3]", "$2[1]", "$1[4]", "$2[2]", "$3[1]", "$3[2]", "$3[3]", "$4", "$3[4]"];

    private static readonly string UpsertWorkflowInstance = Upsert("main.workflow_instances", "id", WorkflowInstanceColumns, WorkflowInstancePacked);

    private const string InsertClientApp =
        "INSERT INTO main.client_apps (id, name, api_key, created_on, api_secret) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING";

    private const string InsertOutbox =
        "INSERT INTO main.outbox (event_id, event_key, body, created_on) VALUES ($1, $2, $3, $4) ON CONFLICT (event_id) DO NOTHING";

    private const string SelectClientApp =
        "SELECT id, name, api_key, created_on, api_secret, previous_api_secret, previous_secret_valid_until FROM main.client_apps";

    private const string SelectWorkflowVersions =
        "SELECT workflow_id, \"version\", bpmn_diagram, external_workflow_id, inputschema, created_on FROM main.workflow_versions";

    // The reads of one row set, written once: an interpolated select list would build the statement text again on every call.
    private static readonly string SelectUnroutedEvents =
        $"SELECT {PostgresEntityTables.Event.SelectList} FROM main.events " +
        "WHERE id IN (SELECT id FROM main.unrouted_events WHERE \"timestamp\" < $1 AND (\"timestamp\", id COLLATE \"C\") > ($3, $4)) " +
        "ORDER BY \"timestamp\", id COLLATE \"C\" LIMIT $2";

    private static readonly string SelectTask =
        $"SELECT {PostgresEntityTables.Task.SelectList} FROM main.tasks WHERE id = $1 AND NOT deleted";

    private static readonly string SelectUserTasks =
        $"SELECT {PostgresEntityTables.UserTask.SelectList} FROM main.user_tasks WHERE task_id = $1 ORDER BY created_on, id COLLATE \"C\"";

    private static readonly string SelectEventMappings =
        $"SELECT {PostgresEntityTables.EventMapping.SelectList} FROM main.event_workflows WHERE event_key = $1 AND NOT deleted ORDER BY created_on, id COLLATE \"C\"";

    private static readonly string SelectTaskMappings =
        $"SELECT {PostgresEntityTables.TaskMapping.SelectList} FROM main.task_workflows WHERE task_key = $1 AND NOT deleted ORDER BY created_on, id COLLATE \"C\"";

    private static readonly string SelectSubscription =
        $"SELECT {PostgresEntityTables.WebhookSubscription.SelectList} FROM main.webhook_subscriptions WHERE id = $1";

    private static readonly string SelectActiveSubscriptions =
        $"SELECT {PostgresEntityTables.WebhookSubscription.SelectList} FROM main.webhook_subscriptions " +
        "WHERE \"key\" = $1 AND status = $2 ORDER BY created_on, id COLLATE \"C\"";

    private static readonly string SelectWorkflow =
        $"SELECT {PostgresEntityTables.Workflow.SelectList} FROM main.workflows WHERE id = $1 AND NOT deleted";

    /// <summary>The width of the id and key columns (<c>varchar(200)</c>): the most <see cref="Common.LimitsOptions.MaxKeyLength"/> may be.</summary>
    public const int MaxKeyColumnLength = 200;

    /// <summary>
    /// Connections group commit uses at most: twice the batches that run at once, so that a batch starting never waits for the
    /// connection of one that is ending.
    /// </summary>
    public const int GroupCommitConnections = 2 * PostgresCommandBatcher.MaxConcurrentBatches;

    private readonly NpgsqlDataSource _dataSource;

    /// <summary>
    /// Group commit of every write, events being recorded among them: an event's record shares its commit with the instances,
    /// tasks, outbox and delivery rows that earlier events cause. Events once had a lane of their own, so that a trigger's
    /// answer never waited behind those writes; one lane for all was cheaper and faster: at half the maximum, in four pairs,
    /// 21% less PostgreSQL CPU per event (fewer, fuller commits) and a lower trigger-to-webhook p50 and p99.
    /// </summary>
    private readonly PostgresCommandBatcher _batcher;

    /// <summary>The group commit of every write; tests hold its batches to gather writes into one.</summary>
    internal PostgresCommandBatcher Batcher => _batcher;

    private readonly TimeProvider _time;
    private readonly SemaphoreSlim _probeGate = new(1, 1);
    private SqlFilterCompiler? _compiler;

    /// <param name="dataSource">Connections to a database migrated with <c>scripts/sql</c>; it must use the UTF8 encoding.</param>
    /// <param name="time">The clock of outbox claims and timestamps; the system clock when null.</param>
    /// <param name="groupCommitSource">
    /// Connections to the same database for group commit (see <see cref="Hosting.PostgresStoreExtensions.CreateDataSource"/>);
    /// <paramref name="dataSource"/> when null.
    /// </param>
    /// <param name="commitDelay">
    /// How long group commit's next batch waits after a busy one (<see cref="GroupCommitOptions.CommitDelay"/>); zero or null
    /// for no wait.
    /// </param>
    public PostgresTaskServiceStore(
        NpgsqlDataSource dataSource,
        TimeProvider? time = null,
        NpgsqlDataSource? groupCommitSource = null,
        TimeSpan? commitDelay = null)
    {
        ArgumentNullException.ThrowIfNull(dataSource);
        _dataSource = dataSource;
        groupCommitSource ??= dataSource;
        _time = time ?? TimeProvider.System;
        _batcher = new PostgresCommandBatcher(
            groupCommitSource,
            WritesToStartAnotherBatch,
            slowBatch: SlowBatch,
            time: _time,
            commitDelay: commitDelay > TimeSpan.Zero ? commitDelay : null);
    }

    public async Task<EventRecording> RecordEventAsync(EventRecord record, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(record);

        // The event waits in main.unrouted_events until it is routed; the events of a batch are recorded in one statement.
        return await _batcher.RunMergedAsync(
            "event",
            NewEventsStatement.Instance,
            record,
            static reader => NewEventsStatement.Read(reader),
            static rows => (EventRecording)rows[0]!);
    }

    public Task MarkEventRoutedAsync(string eventId, CancellationToken cancellationToken = default) =>
        MarkEventsRoutedAsync([eventId], cancellationToken);

    public async Task MarkEventsRoutedAsync(IReadOnlyList<string> eventIds, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(eventIds);
        await _batcher.WriteAsync("event", [BatchCommand(
            "DELETE FROM main.unrouted_events WHERE id = ANY($1)",
            TextArray(eventIds))]);
    }

    public Task<IReadOnlyList<EventRecord>> GetUnroutedEventsAsync(DateTimeOffset recordedBefore, int max, EventRecord? after = null, CancellationToken cancellationToken = default) =>
        ReadListAsync(
            SelectUnroutedEvents,
            [BigInt(recordedBefore.ToUnixTimeMilliseconds()), BigInt(Math.Max(max, 0)), BigInt(after?.Timestamp ?? long.MinValue), Text(after?.Id ?? "")],
            reader =>
            {
                var row = new Cursor(reader);
                return new EventRecord
                {
                    Id = row.String(),
                    Key = row.String(),
                    Payload = row.Json(),
                    Source = row.NullableString(),
                    Description = row.NullableString(),
                    Timestamp = row.Int64(),
                };
            },
            cancellationToken);

    public Task<TaskAggregate?> LoadTaskAsync(string taskId, CancellationToken cancellationToken = default) =>
        _batcher.RunAsync(
            "task",
            [
                BatchCommand(SelectTask, Text(taskId)),
                BatchCommand(SelectUserTasks, Text(taskId)),
            ],
            2,
            static (reader, set) => set == 0 ? ReadTask(reader) : ReadUserTask(reader),
            static rows => rows[0].Count == 0 ? null : new TaskAggregate((TaskRecord)rows[0][0]!, [.. rows[1].Cast<UserTaskRecord>()]));

    public async Task<IReadOnlyList<OutboxEntry>> SaveTaskAsync(
        TaskAggregate aggregate,
        IReadOnlyList<OutgoingEvent> outbox,
        IReadOnlyList<TaskHistoryEntry>? history = null,
        TimeSpan? claimFor = null,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        ArgumentNullException.ThrowIfNull(outbox);
        var task = aggregate.Task;

        // The task, its user tasks, its history and its outgoing events commit together, or not at all.
        var commands = new List<NpgsqlBatchCommand>();
        commands.Add(BatchCommand(UpsertTask, TaskValues(task)));
        commands.Add(BatchCommand(
            "DELETE FROM main.user_tasks WHERE task_id = $1 AND id <> ALL($2)", Text(task.Id), TextArray(aggregate.UserTasks.Select(u => u.Id))));
        foreach (var userTask in aggregate.UserTasks)
        {
            commands.Add(BatchCommand(UpsertUserTask,
                Text(userTask.Id), Text(userTask.TaskId), Text(userTask.Name), Text(EnumText(userTask.Status)), Text(userTask.ExternalId),
                Text(userTask.Assignee), JsonText(userTask.CandidateGroups is null ? null : JsonSerializer.Serialize(userTask.CandidateGroups)),
                Instant(userTask.DueDate), Instant(userTask.CreatedOn), Instant(userTask.ModifiedOn),
                Text(userTask.CreatedBy), Text(userTask.ModifiedBy), Boolean(userTask.Deleted), Instant(userTask.DeletedOn), Text(userTask.DeletedBy),
                JsonText(userTask.Form is null ? null : JsonSerializer.Serialize(userTask.Form, ContractJson.Options))));
        }

        foreach (var entry in history ?? [])
        {
            commands.Add(BatchCommand(InsertHistory, [Text(entry.Id), Text(entry.TaskId), .. HistoryValues(entry)]));
        }

        if (claimFor is not { } lease || outbox.Count == 0)
        {
            commands.AddRange(OutboxCommands(outbox));
            await _batcher.WriteAsync("task", commands);
            return [];
        }

        var written = await WriteOutboxAsync("task", commands, outbox, lease, deliveries, dispatched);
        return written.Claimed;
    }

    public async Task<bool> TryCreateTaskAsync(TaskRecord task, TaskHistoryEntry created, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(created);
        return (await CreateTaskAsync(task, created, [], null, null, dispatched: false)).Created;
    }

    public Task<TaskCreation> TryCreateTaskAsync(
        TaskRecord task,
        TaskHistoryEntry created,
        IReadOnlyList<OutgoingEvent> outbox,
        TimeSpan? claimFor = null,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(created);
        ArgumentNullException.ThrowIfNull(outbox);

        // One statement: the task, its first history entry, its outgoing events and their delivery rows, or nothing at all.
        return CreateTaskAsync(task, created, outbox, claimFor, deliveries, dispatched);
    }

    /// <summary>A task's values in the order of <see cref="TaskColumns"/>.</summary>
    private static NpgsqlParameter[] TaskValues(TaskRecord task) =>
    [
        Text(task.Id), Text(task.Key), Text(task.Name), Text(task.Description), Text(EnumText(task.Status)), Text(task.Priority),
        Text(task.Severity), Text(task.Type), Text(task.AssigneeId), Instant(task.StartDate), Instant(task.DueDate), Instant(task.EndDate),
        Jsonb(task.Metadata), Text(task.ExternalId), Instant(task.CreatedOn), Instant(task.ModifiedOn), Text(task.Notes), Text(task.EventId),
        Text(task.CreatedBy), Text(task.ModifiedBy), Boolean(task.Deleted), Instant(task.DeletedOn), Text(task.DeletedBy),
    ];

    /// <summary>A history entry's values after its id and task id, in the order of the history table's columns.</summary>
    private static NpgsqlParameter[] HistoryValues(TaskHistoryEntry entry) =>
    [
        Text(entry.UserTaskId), Text(entry.Action),
        JsonText(entry.Changes is null ? null : JsonSerializer.Serialize(entry.Changes, ContractJson.Options)),
        Text(entry.By), Instant(entry.On), Integer(entry.Position),
    ];

    public async Task DeleteTaskAsync(string taskId, CancellationToken cancellationToken = default)
    {
        // Its history goes in the same statement; user_tasks rows go with it (ON DELETE CASCADE).
        await using var command = Command(
            "WITH history AS (DELETE FROM main.task_history WHERE task_id = $1) DELETE FROM main.tasks WHERE id = $1", Text(taskId));
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<bool> AddEventMappingAsync(EventWorkflowMapping mapping, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        await using var command = Command(InsertEventMapping,
            Text(mapping.Id), Text(mapping.EventKey), Text(mapping.WorkflowKey), Instant(mapping.CreatedOn), Instant(mapping.ModifiedOn),
            Text(mapping.CreatedBy), Text(mapping.ModifiedBy));
        return await WriteAsync("event mapping", () => command.ExecuteNonQueryAsync(cancellationToken)) == 1;
    }

    public Task<bool> DeleteEventMappingAsync(string id, string? deletedBy, DateTimeOffset deletedOn, CancellationToken cancellationToken = default) =>
        SoftDeleteAsync("main.event_workflows", id, deletedBy, deletedOn, cancellationToken);

    public Task<IReadOnlyList<EventWorkflowMapping>> GetEventMappingsAsync(string eventKey, CancellationToken cancellationToken = default) =>
        ReadListAsync(
            SelectEventMappings,
            [Text(eventKey)],
            reader =>
            {
                var row = new Cursor(reader);
                return new EventWorkflowMapping
                {
                    Id = row.String(), EventKey = row.String(), WorkflowKey = row.String(), CreatedOn = row.Instant(), ModifiedOn = row.Instant(),
                    CreatedBy = row.NullableString(), ModifiedBy = row.NullableString(),
                };
            },
            cancellationToken);

    public async Task<bool> AddTaskMappingAsync(TaskWorkflowMapping mapping, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(mapping);
        await using var command = Command(InsertTaskMapping,
            Text(mapping.Id), Text(mapping.TaskKey), Text(mapping.WorkflowKey), Instant(mapping.CreatedOn), Instant(mapping.ModifiedOn),
            Text(mapping.CreatedBy), Text(mapping.ModifiedBy));
        return await WriteAsync("task mapping", () => command.ExecuteNonQueryAsync(cancellationToken)) == 1;
    }

    public Task<bool> DeleteTaskMappingAsync(string id, string? deletedBy, DateTimeOffset deletedOn, CancellationToken cancellationToken = default) =>
        SoftDeleteAsync("main.task_workflows", id, deletedBy, deletedOn, cancellationToken);

    public Task<IReadOnlyList<TaskWorkflowMapping>> GetTaskMappingsAsync(string taskKey, CancellationToken cancellationToken = default) =>
        BatchedReadAsync(
            "task mapping",
            SelectTaskMappings,
            [Text(taskKey)],
            static reader =>
            {
                var row = new Cursor(reader);
                return new TaskWorkflowMapping
                {
                    Id = row.String(), TaskKey = row.String(), WorkflowKey = row.String(), CreatedOn = row.Instant(), ModifiedOn = row.Instant(),
                    CreatedBy = row.NullableString(), ModifiedBy = row.NullableString(),
                };
            });


    public async Task<bool> TryAddClientAppAsync(ClientAppRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        var app = row.App;
        await using var command = Command(InsertClientApp, Text(app.Id), Text(app.Name), Text(app.ApiKey), Instant(app.CreatedOn), Text(row.ApiSecret));
        return await WriteAsync("client app", () => command.ExecuteNonQueryAsync(cancellationToken)) == 1;
    }

    public async Task<ClientAppRow?> GetClientAppByKeyAsync(string apiKey, CancellationToken cancellationToken = default) =>
        (await ReadListAsync($"{SelectClientApp} WHERE api_key = $1", [Text(apiKey)], ReadClientApp, cancellationToken)).SingleOrDefault();

    public async Task<ClientAppRow?> GetClientAppAsync(string id, CancellationToken cancellationToken = default) =>
        (await ReadListAsync($"{SelectClientApp} WHERE id = $1", [Text(id)], ReadClientApp, cancellationToken)).SingleOrDefault();

    public async Task UpdateClientAppSecretsAsync(ClientAppRow row, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(row);
        await using var command = Command(
            "UPDATE main.client_apps SET api_secret = $2, previous_api_secret = $3, previous_secret_valid_until = $4 WHERE id = $1",
            Text(row.App.Id), Text(row.ApiSecret), Text(row.PreviousApiSecret), Instant(row.PreviousSecretValidUntil));
        await WriteAsync("client app", () => command.ExecuteNonQueryAsync(cancellationToken));
    }

    public async Task SaveSubscriptionAsync(WebhookSubscriptionRecord subscription, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(subscription);
        await using var command = Command(UpsertSubscription,
            Text(subscription.Id), Text(subscription.Url), Text(subscription.Key), Text(subscription.ClientAppId), Text(EnumText(subscription.Status)),
            Text(subscription.StatusReason), Instant(subscription.CreatedOn), Instant(subscription.ModifiedOn));
        await WriteAsync("webhook subscription", () => command.ExecuteNonQueryAsync(cancellationToken));
    }

    public async Task<WebhookSubscriptionRecord?> GetSubscriptionAsync(string id, CancellationToken cancellationToken = default) =>
        (await ReadListAsync(
            SelectSubscription,
            [Text(id)], ReadSubscription, cancellationToken)).SingleOrDefault();

    public async Task DeleteSubscriptionAsync(string id, CancellationToken cancellationToken = default)
    {
        // One batch, one implicit transaction: the subscription and its delivery log (attempts go with their deliveries).
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(BatchCommand("DELETE FROM main.webhook_deliveries WHERE subscription_id = $1", Text(id)));
        batch.BatchCommands.Add(BatchCommand("DELETE FROM main.webhook_subscriptions WHERE id = $1", Text(id)));
        await batch.ExecuteNonQueryAsync(cancellationToken);
    }

    public Task<IReadOnlyList<WebhookSubscriptionRecord>> GetActiveSubscriptionsAsync(string key, CancellationToken cancellationToken = default) =>
        ReadListAsync(
            SelectActiveSubscriptions,
            [Text(key), Text(EnumText(WebhookSubscriptionStatus.Active))], ReadSubscription, cancellationToken);

    public async Task<WorkflowAggregate?> LoadWorkflowAsync(string workflowId, CancellationToken cancellationToken = default)
    {
        await using var batch = _dataSource.CreateBatch();
        batch.BatchCommands.Add(BatchCommand(SelectWorkflow, Text(workflowId)));
        batch.BatchCommands.Add(BatchCommand($"{SelectWorkflowVersions} WHERE workflow_id = $1 ORDER BY \"version\"", Text(workflowId)));
        await using var reader = await batch.ExecuteReaderAsync(cancellationToken);
        if (!await reader.ReadAsync(cancellationToken))
        {
            return null;
        }

        var workflow = ReadWorkflow(reader);
        await reader.NextResultAsync(cancellationToken);
        var versions = new List<WorkflowVersionRecord>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var row = new Cursor(reader);
            versions.Add(new WorkflowVersionRecord
            {
                WorkflowId = row.String(),
                Version = row.Int32(),
                BpmnDiagram = row.String(),
                ExternalWorkflowId = row.String(),
                InputSchema = row.Json(),
                CreatedOn = row.Instant(),
            });
        }

        return new WorkflowAggregate(workflow, versions);
    }

    public async Task SaveWorkflowAsync(WorkflowAggregate aggregate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(aggregate);
        var workflow = aggregate.Workflow;
        if (aggregate.Versions.FirstOrDefault(v => v.WorkflowId != workflow.Id) is { } foreign)
        {
            throw new ArgumentException($"Version {foreign.Version} belongs to workflow '{foreign.WorkflowId}', not '{workflow.Id}'.", nameof(aggregate));
        }

        await using var connection = await _dataSource.OpenConnectionAsync(cancellationToken);
        await using (var transaction = await connection.BeginTransactionAsync(cancellationToken))
        {
            await using var batch = new NpgsqlBatch(connection, transaction);
            batch.BatchCommands.Add(BatchCommand(UpsertWorkflow,
                Text(workflow.Id), Text(workflow.Name), Text(workflow.Description), Text(workflow.ExternalIdentifier), Text(workflow.Provider),
                Integer(workflow.WorkflowVersion), RequiredJson(workflow.InputSchema), Instant(workflow.CreatedOn), Instant(workflow.ModifiedOn),
                Text(workflow.CreatedBy), Text(workflow.ModifiedBy), Boolean(workflow.Deleted), Instant(workflow.DeletedOn), Text(workflow.DeletedBy)));
            batch.BatchCommands.Add(BatchCommand(
                "DELETE FROM main.workflow_versions WHERE workflow_id = $1 AND \"version\" <> ALL($2)",
                Text(workflow.Id), Parameter(aggregate.Versions.Select(v => v.Version).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer)));
            foreach (var version in aggregate.Versions)
            {
                batch.BatchCommands.Add(BatchCommand(UpsertWorkflowVersion,
                    Text(workflow.Id), Integer(version.Version), Text(version.BpmnDiagram), Text(version.ExternalWorkflowId),
                    RequiredJson(version.InputSchema), Instant(version.CreatedOn)));
            }

            try
            {
                await WriteAsync("workflow", () => batch.ExecuteNonQueryAsync(cancellationToken));
                await transaction.CommitAsync(cancellationToken);
                return;
            }
            catch (PostgresException ex) when (ex is { SqlState: UniqueViolation, ConstraintName: WorkflowProcessIdConstraint })
            {
                await transaction.RollbackAsync(cancellationToken);
            }
        }

        // Another workflow deploys this process: the same conflict the in-memory store reports.
        var processId = workflow.ExternalIdentifier;
        await using var find = new NpgsqlCommand("SELECT id FROM main.workflows WHERE external_identifier = $1 AND NOT deleted", connection) { Parameters = { Text(processId) } };
        var other = await find.ExecuteScalarAsync(cancellationToken) as string ?? "(another workflow)";
        throw TaskServiceException.Conflict("bpmnFile",
            $"Workflow '{other}' already deploys process '{processId}'; deploy a new version of it with PATCH /workflows/{other}.");
    }

    public async Task<LiveWorkflow?> FindLiveWorkflowAsync(string processId, CancellationToken cancellationToken = default)
    {
        await using var command = Command("SELECT id, workflow_version FROM main.workflows WHERE external_identifier = $1 AND NOT deleted", Text(processId));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        return await reader.ReadAsync(cancellationToken) ? new LiveWorkflow(reader.GetString(0), reader.GetInt32(1)) : null;
    }

    public async Task SaveWorkflowInstanceAsync(WorkflowInstanceSummary summary, string state, DateTimeOffset? dueOn = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        await _batcher.WriteAsync("workflow instance", [BatchCommand(UpsertWorkflowInstance, WorkflowInstanceValues(summary, state, dueOn))]);
    }

    public Task<bool> TryCreateWorkflowInstanceAsync(WorkflowInstanceSummary summary, string state, DateTimeOffset? dueOn = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(summary);
        return _batcher.RunMergedAsync("workflow instance", NewInstancesStatement.Instance, (summary, state, dueOn),
            static reader => reader.GetString(1),
            static rows => rows.Count > 0);
    }

    /// <summary>An instance's values as <see cref="WorkflowInstancePacked"/> takes them.</summary>
    private static NpgsqlParameter[] WorkflowInstanceValues(WorkflowInstanceSummary summary, string state, DateTimeOffset? dueOn) =>
    [
        NullableTextArray([summary.Id, summary.WorkflowId, summary.ProcessId, EnumText(summary.Status)]),
        IntegerArray([summary.Version, summary.Incidents]),
        InstantArray(summary.CreatedOn, summary.ModifiedOn, summary.EndedOn, dueOn),
        JsonText(state),
    ];

    public Task<IReadOnlyList<DueWorkflowInstance>> GetDueWorkflowInstancesAsync(DateTimeOffset dueBefore, int max, DueWorkflowInstance? after = null, CancellationToken cancellationToken = default) =>
        after is null
            ? ReadListAsync(
                "SELECT id, due_on FROM main.workflow_instances WHERE due_on < $1 ORDER BY due_on, id COLLATE \"C\" LIMIT $2",
                [Instant(dueBefore), BigInt(Math.Max(max, 0))],
                ReadDueInstance,
                cancellationToken)
            : ReadListAsync(
                "SELECT id, due_on FROM main.workflow_instances WHERE due_on < $1 AND (due_on, id COLLATE \"C\") > ($3, $4) " +
                "ORDER BY due_on, id COLLATE \"C\" LIMIT $2",
                [Instant(dueBefore), BigInt(Math.Max(max, 0)), Instant(after.DueOn), Text(after.Id)],
                ReadDueInstance,
                cancellationToken);

    private static DueWorkflowInstance ReadDueInstance(NpgsqlDataReader reader) =>
        new(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1));

    public Task<string?> LoadWorkflowInstanceStateAsync(string instanceId, CancellationToken cancellationToken = default) =>
        _batcher.RunAsync(
            "workflow instance",
            [BatchCommand("SELECT state FROM main.workflow_instances WHERE id = $1", Text(instanceId))],
            1,
            static (reader, _) => reader.IsDBNull(0) ? null : reader.GetString(0),
            static rows => rows[0].Count == 0 ? null : (string?)rows[0][0]);

    public async Task AppendOutboxAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return;
        }

        // All events or none.
        await _batcher.WriteAsync("outgoing event", OutboxCommands(events));
    }

    public async Task<IReadOnlyList<OutboxEntry>> AppendClaimedOutboxAsync(
        IReadOnlyList<OutgoingEvent> events,
        TimeSpan lease,
        IReadOnlyList<QueuedDelivery>? deliveries = null,
        bool dispatched = false,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(events);
        if (events.Count == 0)
        {
            return [];
        }

        return (await WriteOutboxAsync("outgoing event", [], events, lease, deliveries, dispatched)).Claimed;
    }

    /// <summary>
    /// The statement that appends outgoing events to the outbox (one multi-row INSERT, claimed until its 3rd parameter, or not
    /// when that is null) and, of the events it added, the delivery rows, pending, all or none. Each event's JSON comes once, as
    /// text: the outbox keeps it as jsonb, its delivery rows as json (the text as given, as <see cref="AppendDeliveriesAsync"/>
    /// keeps it). Its six parameters: the events as one flat text array (id, key and JSON of each in turn), the creation
    /// instant, the claim, the delivery rows as one flat text array (id, subscription, client app and event id of each),
    /// their instants as one flat timestamptz array (next attempt and creation of each), and when the entries were dispatched
    /// (null: not yet): a few arrays cost less to send than an array per column. It returns a row per row added: (0, seq,
    /// event id) for an outbox entry, (1, seq, delivery id) for a delivery. A new task's events go with the task in
    /// <see cref="NewTasksStatement"/>.
    /// </summary>
    /// <remarks>
    /// The rows are read from the flat arrays by <c>unnest ... WITH ORDINALITY</c>, one ordinal in three (or four) kept, rather
    /// than by <c>generate_series</c> over the count: PostgreSQL cannot know either count without the values, and it takes a
    /// series to be a thousand rows, which made the plan for all values look so costly that it planned the statement anew on
    /// every execution (more time than running it). Unnested arrays it takes to be a few rows, so the prepared statement is
    /// planned once.
    /// </remarks>
    private const string WriteOutbox = """
        WITH input AS (
            SELECT ($1::text[])[e.i - 2] AS event_id, ($1::text[])[e.i - 1] AS event_key, ($1::text[])[e.i] AS body, e.i / 3 AS n
            FROM unnest($1::text[]) WITH ORDINALITY AS e (v, i)
            WHERE e.i % 3 = 0),
        outbox AS (
            INSERT INTO main.outbox (event_id, event_key, body, created_on, claimed_until, dispatched_on)
            SELECT event_id, event_key, body::jsonb, $2, $3, $6::timestamptz FROM input ORDER BY n
            ON CONFLICT (event_id) DO NOTHING
            RETURNING seq, event_id),
        deliveries AS (
            INSERT INTO main.webhook_deliveries
                (id, subscription_id, client_app_id, event_id, event_type, event, redelivery_of, status, attempts, next_attempt_at, created_on, modified_on)
            SELECT d.id, d.subscription_id, d.client_app_id, i.event_id, i.event_key, i.body::json, NULL, 'pending', 0, d.next_attempt_at, d.created_on, d.created_on
            FROM (SELECT ($4::text[])[r.i - 3] AS id, ($4::text[])[r.i - 2] AS subscription_id,
                         ($4::text[])[r.i - 1] AS client_app_id, ($4::text[])[r.i] AS event_id,
                         ($5::timestamptz[])[r.i / 2 - 1] AS next_attempt_at, ($5::timestamptz[])[r.i / 2] AS created_on, r.i / 4 AS n
                  FROM unnest($4::text[]) WITH ORDINALITY AS r (v, i)
                  WHERE r.i % 4 = 0) AS d
            JOIN input AS i ON i.event_id = d.event_id
            WHERE d.event_id IN (SELECT event_id FROM outbox)
            ORDER BY d.n
            ON CONFLICT (id) DO NOTHING
            RETURNING id, seq)
        SELECT 0, seq, event_id FROM outbox UNION ALL SELECT 1, seq, id FROM deliveries
        """;

    /// <summary>
    /// Runs <paramref name="commands"/> and, in the same transaction, <see cref="WriteOutbox"/>: the outbox rows of
    /// <paramref name="events"/>, claimed for <paramref name="lease"/> or not when it is null, and the <paramref name="deliveries"/>
    /// of the events added. Returns, when claimed, the entries added in sequence order with their delivery rows (none when
    /// <paramref name="deliveries"/> is null); an event written before keeps its row and is not returned.
    /// </summary>
    private Task<TaskCreation> WriteOutboxAsync(
        string entity,
        List<NpgsqlBatchCommand> commands,
        IReadOnlyList<OutgoingEvent> events,
        TimeSpan? lease,
        IReadOnlyList<QueuedDelivery>? deliveries,
        bool dispatched)
    {
        var now = _time.GetUtcNow();
        var rows = new OutboxRows(events, lease, deliveries, dispatched, now);
        commands.Add(BatchCommand(WriteOutbox,
        [
            NullableTextArray(rows.EventTexts),
            Instant(now),
            Instant(now + lease),
            NullableTextArray(rows.RowTexts),
            InstantArray(rows.RowInstants),
            Instant(rows.Dispatched ? now : null),
        ]));
        return _batcher.RunAsync(
            entity,
            commands,
            1,
            static (reader, _) => (Kind: reader.GetInt32(0), Sequence: reader.GetInt64(1), Id: reader.GetString(2)),
            written => rows.Outcome(written[0], createsTask: false));
    }

    /// <summary>
    /// The outgoing events of one write and the first delivery rows that go with them, as the outbox statements take them, and
    /// what the write's caller gets back from the rows those statements return.
    /// </summary>
    private sealed class OutboxRows
    {
        private readonly Dictionary<string, OutgoingEvent> _byId = new(StringComparer.Ordinal);
        private readonly Dictionary<string, QueuedDelivery> _rowsById;
        private readonly TimeSpan? _lease;
        private readonly bool _withDeliveries;

        public OutboxRows(IReadOnlyList<OutgoingEvent> events, TimeSpan? lease, IReadOnlyList<QueuedDelivery>? deliveries, bool dispatched, DateTimeOffset now)
        {
            _lease = lease;
            _withDeliveries = deliveries is not null;

            // Written dispatched only with their delivery rows, which are then all their hand-over.
            Dispatched = dispatched && lease is not null && deliveries is not null;
            foreach (var outgoing in events)
            {
                _byId.TryAdd(outgoing.Id, outgoing);
            }

            // Rows go only with entries claimed for this silo's dispatcher, which hands them over; others get theirs when
            // dispatched. A row is a first delivery of one of the events: its event is the outbox entry's, its attempts none.
            _rowsById = DistinctDeliveries(lease is null ? [] : deliveries ?? []);
            EventTexts = new string[_byId.Count * 3];
            EventInstants = new DateTimeOffset?[_byId.Count * 3];
            var e = 0;
            foreach (var outgoing in _byId.Values)
            {
                EventTexts[e * 3] = outgoing.Id;
                EventTexts[(e * 3) + 1] = outgoing.Key;
                EventTexts[(e * 3) + 2] = JsonSerializer.Serialize(outgoing, ContractJson.Options);
                EventInstants[e * 3] = now;
                EventInstants[(e * 3) + 1] = now + lease;
                EventInstants[(e * 3) + 2] = Dispatched ? now : null;
                e++;
            }

            RowTexts = new string[_rowsById.Count * 4];
            RowInstants = new DateTimeOffset?[_rowsById.Count * 2];
            var r = 0;
            foreach (var row in _rowsById.Values)
            {
                RowTexts[r * 4] = row.Id;
                RowTexts[(r * 4) + 1] = row.SubscriptionId;
                RowTexts[(r * 4) + 2] = row.ClientAppId;
                RowTexts[(r * 4) + 3] = row.Event.Id;
                RowInstants[r * 2] = row.NextAttemptAt;
                RowInstants[(r * 2) + 1] = row.CreatedOn;
                r++;
            }
        }

        public bool Dispatched { get; }

        public int EventCount => _byId.Count;

        public int RowCount => _rowsById.Count;

        /// <summary>Each event's id, key and JSON, in turn.</summary>
        public string[] EventTexts { get; }

        /// <summary>Each event's creation, claim (null: none) and dispatch (null: not yet), in turn.</summary>
        public DateTimeOffset?[] EventInstants { get; }

        /// <summary>Each delivery row's id, subscription, client app and event id, in turn.</summary>
        public string[] RowTexts { get; }

        /// <summary>Each delivery row's next attempt and creation, in turn.</summary>
        public DateTimeOffset?[] RowInstants { get; }

        /// <summary>
        /// Whether the write's task was written (with <paramref name="createsTask"/> false, a write without one: no row of kind 2
        /// is expected) and, when claimed, the entries it added in sequence order with their delivery rows, from its rows of
        /// (kind, seq, id).
        /// </summary>
        public TaskCreation Outcome(IReadOnlyList<object?> written, bool createsTask)
        {
            // Plain loops: this runs for every task created with its event.
            var created = !createsTask;
            List<(long Sequence, string Id)> added = [], addedRows = [];
            foreach (var row in written)
            {
                var (kind, sequence, id) = ((int Kind, long Sequence, string Id))row!;
                switch (kind)
                {
                    case 0:
                        added.Add((sequence, id));
                        break;
                    case 1:
                        addedRows.Add((sequence, id));
                        break;
                    default:
                        created = true;
                        break;
                }
            }

            if (_lease is null || !created)
            {
                return new TaskCreation(created, []);
            }

            added.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
            var entries = new OutboxEntry[added.Count];
            for (var i = 0; i < entries.Length; i++)
            {
                entries[i] = new OutboxEntry(added[i].Sequence, _byId[added[i].Id]);
            }

            if (!_withDeliveries)
            {
                return new TaskCreation(true, entries);
            }

            addedRows.Sort(static (a, b) => a.Sequence.CompareTo(b.Sequence));
            var queued = new QueuedDelivery[addedRows.Count];
            for (var i = 0; i < queued.Length; i++)
            {
                queued[i] = _rowsById[addedRows[i].Id] with { Sequence = addedRows[i].Sequence };
            }

            return new TaskCreation(true, OutboxEntry.WithDeliveries(entries, queued, Dispatched));
        }
    }

    public async Task<IReadOnlyList<OutboxEntry>> ClaimOutboxAsync(int max, TimeSpan lease, CancellationToken cancellationToken = default)
    {
        if (max <= 0)
        {
            return [];
        }

        var now = _time.GetUtcNow();
        var entries = await BatchedReadAsync(
            "outgoing event",
            """
            UPDATE main.outbox AS o SET claimed_until = $1
            FROM (SELECT seq FROM main.outbox
                  WHERE dispatched_on IS NULL AND (claimed_until IS NULL OR claimed_until <= $2)
                  ORDER BY seq LIMIT $3 FOR UPDATE SKIP LOCKED) AS claimable
            WHERE o.seq = claimable.seq
            RETURNING o.seq, o.body
            """,
            [Instant(now + lease), Instant(now), Integer(max)],
            static reader => new OutboxEntry(
                reader.GetInt64(0),
                JsonSerializer.Deserialize<OutgoingEvent>(reader.GetString(1), ContractJson.Options)
                    ?? throw new InvalidOperationException($"Outbox entry {reader.GetInt64(0)} has an empty body.")));
        return entries.OrderBy(e => e.Sequence).ToArray();
    }

    public async Task MarkDispatchedAsync(IReadOnlyList<long> sequences, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(sequences);
        if (sequences.Count == 0)
        {
            return;
        }

        // The rows stay (marked) so that an event id once written is not appended again until the outbox retention has passed
        // (PurgeOutboxAsync), as in the in-memory outbox.
        await _batcher.WriteAsync("outgoing event", [BatchCommand(
            "UPDATE main.outbox SET dispatched_on = $1 WHERE seq = ANY($2) AND dispatched_on IS NULL",
            Instant(_time.GetUtcNow()), Parameter(sequences.ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Bigint))]);
    }

    public async Task<OutboxBacklog> GetOutboxBacklogAsync(CancellationToken cancellationToken = default)
    {
        // Both halves read the partial index of pending rows; the oldest is the first by sequence.
        var rows = await ReadListAsync(
            """
            SELECT count(*), (SELECT created_on FROM main.outbox WHERE dispatched_on IS NULL ORDER BY seq LIMIT 1)
            FROM main.outbox WHERE dispatched_on IS NULL
            """,
            [],
            reader => new OutboxBacklog(reader.GetInt64(0), reader.IsDBNull(1) ? null : reader.GetFieldValue<DateTimeOffset>(1)),
            cancellationToken);
        return rows.Count == 0 ? OutboxBacklog.Empty : rows[0];
    }

    public async Task<IReadOnlyList<JsonElement>> ListAsync(EntityKind kind, QueryFilter filter, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(filter);
        var table = PostgresEntityTables.For(kind);
        var sql = (await CompilerAsync(cancellationToken)).Compile(kind, filter);
        var columns = table.Project(filter.Fields);
        return await ReadListAsync(
            $"SELECT {SelectList(columns)} FROM {table.Table} WHERE {table.Visible} AND ({sql.Where}) ORDER BY {sql.OrderBy} {sql.Paging}",
            sql.Parameters,
            reader => PostgresRows.ToJson(reader, columns),
            cancellationToken);
    }

    public async Task<long> CountAsync(EntityKind kind, FilterNode? where, CancellationToken cancellationToken = default)
    {
        var table = PostgresEntityTables.For(kind);
        var sql = (await CompilerAsync(cancellationToken)).CompileWhere(kind, where);
        await using var command = Command($"SELECT count(*) FROM {table.Table} WHERE {table.Visible} AND ({sql.Where})", [.. sql.Parameters]);
        return (long)(await command.ExecuteScalarAsync(cancellationToken))!;
    }

    public async Task<JsonElement?> GetAsync(EntityKind kind, string id, IReadOnlyList<string>? fields, CancellationToken cancellationToken = default)
    {
        var table = PostgresEntityTables.For(kind);
        var columns = table.Project(fields);
        var rows = await ReadListAsync(
            $"SELECT {SelectList(columns)} FROM {table.Table} WHERE {table.Id.Sql} = $1 AND {table.Visible}", [Text(id)],
            reader => PostgresRows.ToJson(reader, columns),
            cancellationToken);
        return rows.Count == 0 ? null : rows[0];
    }

    public async Task<IReadOnlyList<string>> FindIdsAsync(EntityKind kind, FilterNode? where, int limit, CancellationToken cancellationToken = default)
    {
        var table = PostgresEntityTables.For(kind);
        var sql = (await CompilerAsync(cancellationToken)).Compile(kind, new QueryFilter { Where = where, Limit = limit });
        return await ReadListAsync(
            $"SELECT {table.Id.Sql} FROM {table.Table} WHERE {table.Visible} AND ({sql.Where}) ORDER BY {sql.OrderBy} {sql.Paging}",
            sql.Parameters,
            reader => reader.GetString(0),
            cancellationToken);
    }

    /// <summary>
    /// The compiler for this database, made on first use: the database must be UTF8, and ilike needs a collation whose
    /// <c>lower()</c> folds every script (libc <c>C.utf8</c>; else the default collation if it does; else ICU's root).
    /// </summary>
    private async ValueTask<SqlFilterCompiler> CompilerAsync(CancellationToken cancellationToken)
    {
        if (_compiler is { } compiler)
        {
            return compiler;
        }

        await _probeGate.WaitAsync(cancellationToken);
        try
        {
            return _compiler ??= await ProbeAsync(cancellationToken);
        }
        finally
        {
            _probeGate.Release();
        }
    }

    private async Task<SqlFilterCompiler> ProbeAsync(CancellationToken cancellationToken)
    {
        await using var command = Command(
            """
            SELECT current_setting('server_encoding'),
                   (SELECT collname FROM pg_catalog.pg_collation
                     WHERE collname IN ('C.utf8', 'C.UTF-8') AND collprovider = 'c'
                       AND collencoding IN (-1, pg_catalog.pg_char_to_encoding('UTF8'))
                     ORDER BY collname LIMIT 1),
                   lower($1) = $2,
                   EXISTS (SELECT 1 FROM pg_catalog.pg_collation WHERE collname = 'und-x-icu')
            """,
            Text("ÉΣЖ"), Text("éσж"));
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        var encoding = reader.GetString(0);
        if (encoding != "UTF8")
        {
            throw new InvalidOperationException(
                $"The task service database uses the {encoding} encoding; it must be UTF8 (CREATE DATABASE ... ENCODING 'UTF8' TEMPLATE template0).");
        }

        var collation = !reader.IsDBNull(1) ? reader.GetString(1)
            : reader.GetBoolean(2) ? null
            : reader.GetBoolean(3) ? "und-x-icu"
            : throw new InvalidOperationException(
                "The task service database has no collation whose lower() folds non-ASCII letters (C.utf8 or und-x-icu), and its default does not; ilike needs one.");
        return new SqlFilterCompiler(collation);
    }

    private static string SelectList(IReadOnlyList<PostgresColumn> columns) =>
        columns.Count == 0 ? "NULL" : string.Join(", ", columns.Select(c => c.Sql));

    private static string Upsert(string table, string conflict, params string[] columns) => Upsert(table, conflict, columns, null);

    /// <summary>An upsert of <paramref name="columns"/> from <paramref name="expressions"/>, or from $1, $2, ... in turn when null.</summary>
    private static string Upsert(string table, string conflict, string[] columns, string[]? expressions)
    {
        var keys = conflict.Split(',', StringSplitOptions.TrimEntries);
        var values = string.Join(", ", expressions ?? columns.Select((_, i) => "$" + (i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var updates = string.Join(", ", columns.Where(c => !keys.Contains(c)).Select(c => $"{c} = EXCLUDED.{c}"));
        return $"INSERT INTO {table} ({string.Join(", ", columns)}) VALUES ({values}) ON CONFLICT ({conflict}) DO UPDATE SET {updates}";
    }

    private NpgsqlBatchCommand[] OutboxCommands(IReadOnlyList<OutgoingEvent> events)
    {
        var now = _time.GetUtcNow();
        return events.Select(outgoing => BatchCommand(InsertOutbox,
            Text(outgoing.Id), Text(outgoing.Key), JsonText(JsonSerializer.Serialize(outgoing, ContractJson.Options)), Instant(now))).ToArray();
    }

    /// <summary>A read that rides in the next batch of <see cref="PostgresCommandBatcher"/>, sharing its round trip.</summary>
    private Task<IReadOnlyList<T>> BatchedReadAsync<T>(string entity, string sql, NpgsqlParameter[] parameters, Func<NpgsqlDataReader, T> read) =>
        _batcher.RunAsync<IReadOnlyList<T>>(entity, [BatchCommand(sql, parameters)], 1, (reader, _) => read(reader), static rows => rows[0].Cast<T>().ToArray());

    private NpgsqlCommand Command(string sql, params ReadOnlySpan<NpgsqlParameter> parameters)
    {
        var command = _dataSource.CreateCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        return command;
    }

    // The parameters come as a span: a statement of 23 columns does not allocate an array for them on every call.
    private static NpgsqlBatchCommand BatchCommand(string sql, params ReadOnlySpan<NpgsqlParameter> parameters)
    {
        var command = new NpgsqlBatchCommand(sql);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(parameter);
        }

        return command;
    }

    private async Task<IReadOnlyList<T>> ReadListAsync<T>(
        string sql, IReadOnlyList<NpgsqlParameter> parameters, Func<NpgsqlDataReader, T> read, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, [.. parameters]);
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var rows = new List<T>();
        while (await reader.ReadAsync(cancellationToken))
        {
            rows.Add(read(reader));
        }

        return rows;
    }

    /// <summary>Marks a live row of <paramref name="table"/> deleted, with when and by whom; false when there is no live row.</summary>
    private async Task<bool> SoftDeleteAsync(string table, string id, string? deletedBy, DateTimeOffset deletedOn, CancellationToken cancellationToken)
    {
        await using var command = Command(
            $"UPDATE {table} SET deleted = true, deleted_on = $2, deleted_by = $3 WHERE id = $1 AND NOT deleted",
            Text(id), Instant(deletedOn), Text(deletedBy));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    private async Task<bool> DeleteAsync(string sql, string id, CancellationToken cancellationToken)
    {
        await using var command = Command(sql, Text(id));
        return await command.ExecuteNonQueryAsync(cancellationToken) > 0;
    }

    /// <summary>Runs a write; text PostgreSQL cannot store (U+0000 in text or jsonb) is the caller's input error, not a server fault.</summary>
    private static async Task<T> WriteAsync<T>(string entity, Func<Task<T>> write)
    {
        try
        {
            return await write();
        }
        catch (PostgresException ex) when (AsInputError(entity, ex) is { } inputError)
        {
            throw inputError;
        }
    }

    /// <summary>
    /// The caller's input error a refused write stands for (text PostgreSQL cannot store, a value longer than its column), or
    /// null for a server fault.
    /// </summary>
    internal static TaskServiceException? AsInputError(string entity, PostgresException exception) => exception.SqlState switch
    {
        PostgresErrorCodes.UntranslatableCharacter or PostgresErrorCodes.CharacterNotInRepertoire =>
            TaskServiceException.Invalid(entity, $"The {entity} holds text PostgreSQL cannot store (the character U+0000): {exception.MessageText}"),

        // Only a limit raised past a column's width lets such a value through (ids and keys are 200 characters wide): a silo on
        // this store refuses to start with such a limit, but a gateway of its own reads its limits from its own configuration.
        PostgresErrorCodes.StringDataRightTruncation =>
            TaskServiceException.Invalid(entity, $"The {entity} holds a value longer than PostgreSQL keeps for it ({exception.MessageText}); keep {Common.LimitsOptions.SectionName}:MaxKeyLength at {MaxKeyColumnLength} or less."),
        _ => null,
    };

    private static TaskRecord ReadTask(NpgsqlDataReader reader)
    {
        var row = new Cursor(reader);
        return new TaskRecord
        {
            Id = row.String(),
            Key = row.String(),
            Name = row.String(),
            Description = row.NullableString(),
            Status = row.Enum<TaskRecordStatus>(),
            Priority = row.NullableString(),
            Severity = row.NullableString(),
            Type = row.NullableString(),
            AssigneeId = row.NullableString(),
            StartDate = row.NullableInstant(),
            DueDate = row.NullableInstant(),
            EndDate = row.NullableInstant(),
            Metadata = row.NullableJson(),
            ExternalId = row.NullableString(),
            CreatedOn = row.Instant(),
            ModifiedOn = row.Instant(),
            Notes = row.NullableString(),
            EventId = row.NullableString(),
            CreatedBy = row.NullableString(),
            ModifiedBy = row.NullableString(),
            Deleted = row.Boolean(),
            DeletedOn = row.NullableInstant(),
            DeletedBy = row.NullableString(),
        };
    }

    private static UserTaskRecord ReadUserTask(NpgsqlDataReader reader)
    {
        var row = new Cursor(reader);
        return new UserTaskRecord
        {
            Id = row.String(),
            TaskId = row.String(),
            Name = row.String(),
            Status = row.Enum<UserTaskStatus>(),
            ExternalId = row.String(),
            Assignee = row.NullableString(),
            CandidateGroups = row.NullableJson() is { ValueKind: JsonValueKind.Array } groups
                ? groups.EnumerateArray().Select(g => g.GetString()!).ToArray()
                : null,
            DueDate = row.NullableInstant(),
            CreatedOn = row.Instant(),
            ModifiedOn = row.Instant(),
            CreatedBy = row.NullableString(),
            ModifiedBy = row.NullableString(),
            Deleted = row.Boolean(),
            DeletedOn = row.NullableInstant(),
            DeletedBy = row.NullableString(),
            Form = row.NullableJson() is { ValueKind: JsonValueKind.Object } form ? form.Deserialize<UserTaskForm>(ContractJson.Options) : null,
        };
    }

    private static ClientAppRow ReadClientApp(NpgsqlDataReader reader)
    {
        var row = new Cursor(reader);
        var app = new ClientAppRecord { Id = row.String(), Name = row.String(), ApiKey = row.String(), CreatedOn = row.Instant() };
        return new ClientAppRow(app, row.String(), row.NullableString(), row.NullableInstant());
    }

    private static WebhookSubscriptionRecord ReadSubscription(NpgsqlDataReader reader)
    {
        var row = new Cursor(reader);
        return new WebhookSubscriptionRecord
        {
            Id = row.String(),
            Url = row.String(),
            Key = row.String(),
            ClientAppId = row.String(),
            Status = row.Enum<WebhookSubscriptionStatus>(),
            StatusReason = row.NullableString(),
            CreatedOn = row.Instant(),
            ModifiedOn = row.Instant(),
        };
    }

    private static WorkflowRecord ReadWorkflow(NpgsqlDataReader reader)
    {
        var row = new Cursor(reader);
        return new WorkflowRecord
        {
            Id = row.String(),
            Name = row.String(),
            Description = row.NullableString(),
            ExternalIdentifier = row.String(),
            Provider = row.String(),
            WorkflowVersion = row.Int32(),
            InputSchema = row.Json(),
            CreatedOn = row.Instant(),
            ModifiedOn = row.Instant(),
            CreatedBy = row.NullableString(),
            ModifiedBy = row.NullableString(),
            Deleted = row.Boolean(),
            DeletedOn = row.NullableInstant(),
            DeletedBy = row.NullableString(),
        };
    }
}
