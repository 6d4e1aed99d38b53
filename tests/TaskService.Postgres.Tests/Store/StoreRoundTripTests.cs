using System.Text.Json;
using Npgsql;
using TaskService.ClientApps;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Tasks;
using TaskService.Testing.Durability;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// Every entity written through the PostgreSQL store and read back, as records and as the JSON the in-memory store gives for
/// the same records. Each test uses ids of its own, so the tests of this class share one database.
/// </summary>
public sealed class StoreRoundTripTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>, IAsyncLifetime
{
    // Microsecond precision: what timestamptz holds.
    private static readonly DateTimeOffset Created = DateTimeOffset.Parse("2026-01-02T03:04:05.123456Z", System.Globalization.CultureInfo.InvariantCulture);

    private readonly StoreUnderTest _stores = StoreUnderTest.Over(database);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [Fact]
    public async Task AnEventIsRecordedOnceByItsIdAndRoutedOnce()
    {
        var record = new EventRecord
        {
            Id = NewId("event"),
            Key = "order-placed",
            // Keys in jsonb's order (shorter first), so that the stored document reads back as the same text.
            Payload = JsonElementFactory.Parse("""{"n":1.50,"id":"o-1","note":null,"lines":[{"qty":2,"sku":"a"}]}"""),
            Source = "orders",
            Description = "an order",
            Timestamp = 1767323045123,
        };

        Assert.Equal(EventRecording.New, await _stores.Store.RecordEventAsync(record));
        Assert.Equal(EventRecording.Unrouted, await _stores.Store.RecordEventAsync(record with { Timestamp = record.Timestamp + 5 }));

        // The same id with other content is another event under a recorded one's id: refused, the row left as it was.
        Assert.Equal(EventRecording.Conflict, await _stores.Store.RecordEventAsync(record with { Key = "changed" }));
        Assert.Equal(EventRecording.Conflict, await _stores.Store.RecordEventAsync(record with { Payload = JsonDocument.Parse("""{"lines": 3}""").RootElement }));
        Assert.Equal(EventRecording.Conflict, await _stores.Store.RecordEventAsync(record with { Source = null }));
        var written = await EventRowVersionAsync(record.Id);
        Assert.Equal(1L, await Sql.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM main.unrouted_events WHERE id = $1", record.Id));
        await _stores.Store.MarkEventRoutedAsync(record.Id);
        await _stores.Store.MarkEventRoutedAsync(record.Id);
        Assert.Equal(EventRecording.Routed, await _stores.Store.RecordEventAsync(record));
        // Routing takes the event off the waiting list and leaves its row as it was written (no second version of it).
        Assert.Equal(0L, await Sql.ScalarAsync<long>(database.ConnectionString, "SELECT count(*) FROM main.unrouted_events WHERE id = $1", record.Id));
        Assert.Equal(written, await EventRowVersionAsync(record.Id));
        await _stores.Reference.RecordEventAsync(record);

        await AssertSameJsonAsync(EntityKind.Event, record.Id);
        var rows = await _stores.Store.ListAsync(EntityKind.Event, Filter($$$$"""{"where":{"id":"{{{{record.Id}}}}","payload.lines":{"neq":null}}}""", EntitySchemas.Event));
        Assert.Equal("order-placed", Assert.Single(rows).GetProperty("key").GetString());
    }

    private Task<string> EventRowVersionAsync(string id) =>
        Sql.ScalarAsync<string>(database.ConnectionString, "SELECT ctid::text || '/' || xmin::text FROM main.events WHERE id = $1", id);

    [Fact]
    public async Task UnroutedEventsAreFoundOldestFirstUntilRouted()
    {
        // Timestamps far in the past so that other tests' events (now-ish) stay out of the window.
        var key = NewId("key");
        EventRecord[] events =
        [
            new() { Id = NewId("e3"), Key = key, Payload = JsonElementFactory.EmptyObject, Timestamp = 3_000 },
            new() { Id = NewId("e1"), Key = key, Payload = JsonElementFactory.Parse("""{"a":[1]}"""), Timestamp = 1_000, Source = "s" },
            new() { Id = NewId("e2"), Key = key, Payload = JsonElementFactory.EmptyObject, Timestamp = 2_000 },
            new() { Id = NewId("e9"), Key = key, Payload = JsonElementFactory.EmptyObject, Timestamp = 9_000 },
        ];
        foreach (var record in events)
        {
            await _stores.Store.RecordEventAsync(record);
            await _stores.Reference.RecordEventAsync(record);
        }

        var before = DateTimeOffset.FromUnixTimeMilliseconds(5_000);
        Assert.Equal([events[1].Id, events[2].Id, events[0].Id], (await _stores.Store.GetUnroutedEventsAsync(before, 10)).Select(e => e.Id));
        Assert.Equal(
            (await _stores.Reference.GetUnroutedEventsAsync(before, 2)).Select(Canonical),
            (await _stores.Store.GetUnroutedEventsAsync(before, 2)).Select(Canonical));

        // Paging: after an event, the ones after it in (timestamp, id) order, in both stores alike.
        Assert.Equal([events[0].Id], (await _stores.Store.GetUnroutedEventsAsync(before, 10, events[2])).Select(e => e.Id));
        Assert.Equal(
            (await _stores.Reference.GetUnroutedEventsAsync(before, 1, events[1])).Select(Canonical),
            (await _stores.Store.GetUnroutedEventsAsync(before, 1, events[1])).Select(Canonical));
        Assert.Empty(await _stores.Store.GetUnroutedEventsAsync(before, 10, events[0]));

        await _stores.Store.MarkEventRoutedAsync(events[1].Id);
        Assert.Equal([events[2].Id, events[0].Id], (await _stores.Store.GetUnroutedEventsAsync(before, 10)).Select(e => e.Id));
        Assert.Empty(await _stores.Store.GetUnroutedEventsAsync(before, 0));
    }

    [Fact]
    public async Task ATaskIsWrittenWithItsUserTasksWhichASaveReplaces()
    {
        var task = NewTask(NewId("task"));
        UserTaskRecord[] first = [NewUserTask(task.Id, "u1", ["sales", "ops"]), NewUserTask(task.Id, "u2", null)];
        OutgoingEvent[] outbox = [NewOutgoing(NewId("out")), NewOutgoing(NewId("out"))];

        await SaveBothAsync(new TaskAggregate(task, first), outbox);

        var loaded = await _stores.Store.LoadTaskAsync(task.Id);
        Assert.NotNull(loaded);
        Assert.Equal(Canonical(task), Canonical(loaded.Task));
        Assert.Equal(first.Select(Canonical), loaded.UserTasks.Select(Canonical));
        Assert.Equal(2L, await StoreTables.ScalarAsync<long>(_stores.DataSource, "SELECT count(*) FROM main.outbox WHERE event_id = ANY($1)", (object)outbox.Select(o => o.Id).ToArray()));

        // The next save keeps u2 (changed), drops u1 and adds u3.
        var updated = task with { Status = TaskRecordStatus.InProgress, AssigneeId = "alice", ModifiedOn = Created.AddMinutes(1) };
        UserTaskRecord[] second =
        [
            first[1] with { Status = UserTaskStatus.Completed, ModifiedOn = Created.AddMinutes(1) },
            NewUserTask(task.Id, "u3", ["legal"]),
        ];
        await SaveBothAsync(new TaskAggregate(updated, second), []);

        loaded = await _stores.Store.LoadTaskAsync(task.Id);
        Assert.Equal(Canonical(updated), Canonical(loaded!.Task));
        Assert.Equal(second.Select(Canonical), loaded.UserTasks.Select(Canonical));
        await AssertSameJsonAsync(EntityKind.Task, task.Id);
        foreach (var userTask in second)
        {
            await AssertSameJsonAsync(EntityKind.UserTask, userTask.Id);
        }

        Assert.Null(await _stores.Store.GetAsync(EntityKind.UserTask, first[0].Id, null));
        var byTask = Filter($$$$"""{"where":{"taskId":"{{{{task.Id}}}}","candidateGroups":{"neq":null}}}""", EntitySchemas.UserTask);
        Assert.Equal(
            (await _stores.Reference.ListAsync(EntityKind.UserTask, byTask)).Select(r => r.GetRawText()),
            (await _stores.Store.ListAsync(EntityKind.UserTask, byTask)).Select(r => r.GetRawText()));

        await _stores.Store.DeleteTaskAsync(task.Id);
        Assert.Null(await _stores.Store.LoadTaskAsync(task.Id));
        Assert.Equal(0L, await _stores.Store.CountAsync(EntityKind.UserTask, Where($$$$"""{"taskId":"{{{{task.Id}}}}"}""", EntitySchemas.UserTask)));
    }

    [Fact]
    public async Task ValuesAsLongAsTheApiTakesAreKeptWhole()
    {
        // The API's default limits: names (a task's priority, severity and type) up to 500 characters, webhook URLs up to 2048;
        // the caller's token subject (who made or changed a row, an assignee) has no limit of its own.
        var limits = new LimitsOptions();
        var name = new string('n', limits.MaxNameLength);
        var subject = new string('s', 1000);
        var task = NewTask(NewId("task")) with { Priority = name, Severity = name, Type = name, CreatedBy = subject, ModifiedBy = subject };
        UserTaskRecord[] userTasks = [NewUserTask(task.Id, "u1", null) with { Assignee = subject, CreatedBy = subject }];

        await SaveBothAsync(new TaskAggregate(task, userTasks), []);

        var loaded = await _stores.Store.LoadTaskAsync(task.Id);
        Assert.Equal(Canonical(task), Canonical(loaded!.Task));
        Assert.Equal(subject, Assert.Single(loaded.UserTasks).Assignee);

        var url = "https://hooks.test/" + new string('u', limits.MaxUrlLength - "https://hooks.test/".Length);
        var app = new ClientAppRecord { Id = NewId("app"), Name = "long values", ApiKey = NewId("key"), CreatedOn = Created };
        await _stores.Store.TryAddClientAppAsync(new ClientAppRow(app, "secret"));
        var subscription = new WebhookSubscriptionRecord { Id = NewId("sub"), Url = url, Key = "task-created", ClientAppId = app.Id };
        await _stores.Store.SaveSubscriptionAsync(subscription);
        Assert.Equal(url, (await _stores.Store.GetSubscriptionAsync(subscription.Id))!.Url);
    }

    [Fact]
    public async Task ANewTaskIsCreatedWithItsFirstHistoryEntryOnlyWhenNoRowHasItsId()
    {
        var task = NewTask(NewId("task"));
        var created = new TaskHistoryEntry
        {
            Id = NewId("history"), TaskId = task.Id, Action = TaskHistoryActions.Created, By = TaskHistoryActions.WorkflowActor, On = Created,
        };
        ITaskServiceStore[] stores = [_stores.Store, _stores.Reference];
        foreach (var store in stores)
        {
            Assert.True(await store.TryCreateTaskAsync(task, created));
        }

        var loaded = await _stores.Store.LoadTaskAsync(task.Id);
        Assert.Equal(Canonical(task), Canonical(loaded!.Task));
        Assert.Empty(loaded.UserTasks);
        await AssertSameJsonAsync(EntityKind.Task, task.Id);
        await AssertSameJsonAsync(EntityKind.TaskHistory, created.Id);

        // Again (the step ran twice), with other fields and another entry: nothing is written, in either store.
        var again = created with { Id = NewId("history") };
        foreach (var store in stores)
        {
            Assert.False(await store.TryCreateTaskAsync(task with { Name = "changed" }, again));
        }

        Assert.Equal(task.Name, (await _stores.Store.LoadTaskAsync(task.Id))!.Task.Name);
        Assert.Equal(1L, await StoreTables.ScalarAsync<long>(_stores.DataSource, "SELECT count(*) FROM main.task_history WHERE task_id = $1", task.Id));

        // A deleted task's row is still there: it is not created over either.
        var deleted = NewTask(NewId("task")) with { Deleted = true, DeletedOn = Created, DeletedBy = "remover" };
        await SaveBothAsync(new TaskAggregate(deleted, []), []);
        foreach (var store in stores)
        {
            Assert.False(await store.TryCreateTaskAsync(deleted with { Deleted = false }, again with { TaskId = deleted.Id }));
        }

        Assert.Null(await _stores.Store.LoadTaskAsync(deleted.Id));

        // Deleting a task deletes its history with it (no foreign key does it for the store).
        await _stores.Store.DeleteTaskAsync(task.Id);
        Assert.Null(await _stores.Store.LoadTaskAsync(task.Id));
        Assert.Equal(0L, await StoreTables.ScalarAsync<long>(_stores.DataSource, "SELECT count(*) FROM main.task_history WHERE task_id = $1", task.Id));
    }

    [Fact]
    public async Task ANewTaskWithEveryOptionalValueOrNoneIsCreatedAsInMemoryWithAndWithoutItsEvent()
    {
        // The creation sends a task's values packed in arrays: every position must land in its own column, null or not.
        var full = NewTask(NewId("task")) with
        {
            Description = "", Severity = "critical", AssigneeId = "alice", EndDate = Created.AddDays(9),
            CreatedOn = Created.AddSeconds(1), ModifiedOn = Created.AddSeconds(2), CreatedBy = "creator", ModifiedBy = "editor",
            DeletedOn = Created.AddSeconds(3), DeletedBy = "nobody",
        };
        var bare = new TaskRecord { Id = NewId("task"), Key = "k", Name = "n", Status = TaskRecordStatus.Completed, CreatedOn = Created, ModifiedOn = Created };
        var fullEntry = new TaskHistoryEntry
        {
            Id = NewId("history"), TaskId = full.Id, UserTaskId = "ut-1", Action = TaskHistoryActions.Created, By = "someone",
            On = Created.AddMinutes(1), Position = 7,
            Changes = [new TaskFieldChange { Field = "name", From = JsonElementFactory.Parse("""{"a":[1,"x"]}"""), To = JsonElementFactory.From("y") }],
        };
        var bareEntry = new TaskHistoryEntry { Id = NewId("history"), TaskId = bare.Id, Action = TaskHistoryActions.Created, By = "b", On = Created };
        var withEvent = full with { Id = NewId("task") };
        var withEventEntry = fullEntry with { Id = NewId("history"), TaskId = withEvent.Id };
        var bareWithEvent = bare with { Id = NewId("task") };
        var bareWithEventEntry = bareEntry with { Id = NewId("history"), TaskId = bareWithEvent.Id };

        ITaskServiceStore[] stores = [_stores.Store, _stores.Reference];
        foreach (var store in stores)
        {
            Assert.True(await store.TryCreateTaskAsync(full, fullEntry));
            Assert.True(await store.TryCreateTaskAsync(bare, bareEntry));
            Assert.True((await store.TryCreateTaskAsync(withEvent, withEventEntry, [NewOutgoing(NewId("event"))])).Created);
            Assert.True((await store.TryCreateTaskAsync(bareWithEvent, bareWithEventEntry, [NewOutgoing(NewId("event"))])).Created);
        }

        foreach (var (task, entry) in new[] { (full, fullEntry), (bare, bareEntry), (withEvent, withEventEntry), (bareWithEvent, bareWithEventEntry) })
        {
            var loaded = await _stores.Store.LoadTaskAsync(task.Id);
            Assert.Equal(Canonical(task), Canonical(loaded!.Task));
            await AssertSameJsonAsync(EntityKind.Task, task.Id);

            // jsonb keeps its own key order within the changes, so the entry is compared as JSON values.
            var expected = await _stores.Reference.GetAsync(EntityKind.TaskHistory, entry.Id, null);
            var actual = await _stores.Store.GetAsync(EntityKind.TaskHistory, entry.Id, null);
            Assert.True(JsonElement.DeepEquals(expected!.Value, actual!.Value), $"{expected.Value.GetRawText()} != {actual.Value.GetRawText()}");
        }
    }

    [Fact]
    public async Task SoftDeletedRowsAreKeptWithTheirAuditFieldsAndHiddenFromEveryRead()
    {
        var task = NewTask(NewId("task")) with { CreatedBy = "creator", ModifiedBy = "editor" };
        var deletedOn = Created.AddMinutes(5);
        UserTaskRecord[] userTasks =
        [
            // Distinct creation times: rows load in created_on order, and equal times would leave it to the random ids.
            NewUserTask(task.Id, "live", null) with { ModifiedBy = "editor", CreatedOn = Created.AddSeconds(1) },
            NewUserTask(task.Id, "gone", null) with { Deleted = true, DeletedOn = deletedOn, DeletedBy = "remover", CreatedOn = Created.AddSeconds(2) },
        ];
        await SaveBothAsync(new TaskAggregate(task, userTasks), []);

        // The task's grain sees its deleted user task (to never record it again); reads do not.
        var loaded = await _stores.Store.LoadTaskAsync(task.Id);
        Assert.Equal(userTasks.Select(Canonical), loaded!.UserTasks.Select(Canonical));
        Assert.Equal(Canonical(task), Canonical(loaded.Task));
        await AssertSameJsonAsync(EntityKind.Task, task.Id);
        await AssertSameJsonAsync(EntityKind.UserTask, userTasks[0].Id);
        Assert.Null(await _stores.Store.GetAsync(EntityKind.UserTask, userTasks[1].Id, null));
        var ofTask = Where($$$$"""{"taskId":"{{{{task.Id}}}}"}""", EntitySchemas.UserTask);
        Assert.Equal(1L, await _stores.Store.CountAsync(EntityKind.UserTask, ofTask));
        Assert.Equal([userTasks[0].Id], await _stores.Store.FindIdsAsync(EntityKind.UserTask, ofTask, 10));

        var deleted = task with { Deleted = true, DeletedOn = deletedOn, DeletedBy = "remover" };
        await SaveBothAsync(new TaskAggregate(deleted, [.. userTasks.Select(u => u with { Deleted = true, DeletedOn = deletedOn, DeletedBy = "remover" })]), []);

        Assert.Null(await _stores.Store.LoadTaskAsync(task.Id));
        Assert.Null(await _stores.Store.GetAsync(EntityKind.Task, task.Id, null));
        Assert.Null(await _stores.Reference.GetAsync(EntityKind.Task, task.Id, null));
        var byId = Where($$$$"""{"id":"{{{{task.Id}}}}"}""", EntitySchemas.Task);
        Assert.Equal(0L, await _stores.Store.CountAsync(EntityKind.Task, byId));
        Assert.Empty(await _stores.Store.ListAsync(EntityKind.Task, new QueryFilter { Where = byId }));
        Assert.Equal(0L, await _stores.Store.CountAsync(EntityKind.UserTask, ofTask));
        Assert.Equal("remover", await StoreTables.ScalarAsync<string>(_stores.DataSource, "SELECT deleted_by FROM main.tasks WHERE id = $1 AND deleted", task.Id));
        Assert.Equal("creator", await StoreTables.ScalarAsync<string>(_stores.DataSource, "SELECT created_by FROM main.tasks WHERE id = $1", task.Id));
        Assert.Equal(2L, await StoreTables.ScalarAsync<long>(_stores.DataSource, "SELECT count(*) FROM main.user_tasks WHERE task_id = $1 AND deleted AND deleted_by = 'remover'", task.Id));
    }

    [Fact]
    public async Task AFailingTaskSaveWritesNothingNeitherRowsNorOutbox()
    {
        var task = NewTask(NewId("task"));
        var outgoing = NewOutgoing(NewId("out"));
        // The second user task names a task that does not exist: the foreign key fails the transaction.
        UserTaskRecord[] userTasks = [NewUserTask(task.Id, "u1", null), NewUserTask(NewId("missing"), "u2", null)];

        await Assert.ThrowsAsync<PostgresException>(() => _stores.Store.SaveTaskAsync(new TaskAggregate(task, userTasks), [outgoing]));

        Assert.Null(await _stores.Store.LoadTaskAsync(task.Id));
        Assert.Equal(0L, await StoreTables.ScalarAsync<long>(_stores.DataSource, "SELECT count(*) FROM main.outbox WHERE event_id = $1", outgoing.Id));
    }

    [Fact]
    public async Task TaskFieldsSurviveTheTripAsInstantsAndDocuments()
    {
        var task = NewTask(NewId("task")) with
        {
            // Given at +02:00 with 100 ns: read back as the same instant in UTC, to the microsecond.
            DueDate = DateTimeOffset.Parse("2026-03-01T12:00:00.1234567+02:00", System.Globalization.CultureInfo.InvariantCulture),
            Metadata = JsonElementFactory.Parse("""{"zeta":1,"a":{"y":true,"x":[3,2,1]},"n":null}"""),
        };

        await _stores.Store.SaveTaskAsync(new TaskAggregate(task, []), []);
        var loaded = (await _stores.Store.LoadTaskAsync(task.Id))!.Task;

        Assert.Equal(TimeSpan.Zero, loaded.DueDate!.Value.Offset);
        Assert.Equal(DateTimeOffset.Parse("2026-03-01T10:00:00.123456Z", System.Globalization.CultureInfo.InvariantCulture), loaded.DueDate);
        Assert.True(JsonElement.DeepEquals(task.Metadata.Value, loaded.Metadata!.Value));
        Assert.Equal("""{"a":{"x":[3,2,1],"y":true},"n":null,"zeta":1}""", loaded.Metadata.Value.GetRawText().Replace(" ", "", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AJsonNullDocumentStaysAJsonNullAndAnAbsentOneStaysAbsent()
    {
        var withNull = NewTask(NewId("task")) with { Metadata = JsonElementFactory.Null };
        var without = NewTask(NewId("task")) with { Metadata = null };
        foreach (var task in new[] { withNull, without })
        {
            await SaveBothAsync(new TaskAggregate(task, []), []);
            await AssertSameJsonAsync(EntityKind.Task, task.Id);
        }

        Assert.Equal(JsonValueKind.Null, (await _stores.Store.LoadTaskAsync(withNull.Id))!.Task.Metadata!.Value.ValueKind);
        Assert.Null((await _stores.Store.LoadTaskAsync(without.Id))!.Task.Metadata);
        Assert.Equal("null", (await _stores.Store.GetAsync(EntityKind.Task, withNull.Id, ["metadata"]))!.Value.GetProperty("metadata").GetRawText());
    }

    [Fact]
    public async Task TextPostgreSqlCannotStoreIsABadRequest()
    {
        var record = new EventRecord { Id = NewId("event"), Key = "k", Payload = JsonElementFactory.Parse("""{"a":"x\u0000y"}"""), Timestamp = 1 };

        var error = await Assert.ThrowsAsync<TaskServiceException>(() => _stores.Store.RecordEventAsync(record));

        Assert.Equal(TaskServiceErrorKind.Invalid, error.Kind);
        Assert.Equal(TaskServiceErrorKind.Invalid, (await Assert.ThrowsAsync<TaskServiceException>(() => _stores.Store.RecordEventAsync(record with { Id = "k\0", Payload = JsonElementFactory.EmptyObject }))).Kind);
        Assert.Equal(0L, await _stores.Store.CountAsync(EntityKind.Event, Where("{\"key\":\"k\"}", EntitySchemas.Event)));
    }

    [Fact]
    public async Task AnIdLongerThanItsColumnIsABadRequestThatNamesTheLimit()
    {
        // Only a TaskService:Limits:MaxKeyLength raised past 200 lets such an id through the API.
        var record = new EventRecord { Id = NewId("event") + new string('x', 250), Key = "too-long", Payload = JsonElementFactory.EmptyObject, Timestamp = 1 };

        var error = await Assert.ThrowsAsync<TaskServiceException>(() => _stores.Store.RecordEventAsync(record));

        Assert.Equal(TaskServiceErrorKind.Invalid, error.Kind);
        Assert.Contains("MaxKeyLength", error.Message, StringComparison.Ordinal);
        Assert.Equal(0L, await _stores.Store.CountAsync(EntityKind.Event, Where("{\"key\":\"too-long\"}", EntitySchemas.Event)));
    }

    [Fact]
    public async Task MappingsAreAddedIdempotentlyListedByKeyAndSoftDeleted()
    {
        var eventKey = NewId("event-key");
        var eventMapping = new EventWorkflowMapping { Id = NewId("em"), EventKey = eventKey, WorkflowKey = "wf-a", CreatedOn = Created, ModifiedOn = Created, CreatedBy = "alice", ModifiedBy = "alice" };
        var later = new EventWorkflowMapping { Id = NewId("em"), EventKey = eventKey, WorkflowKey = "wf-b", CreatedOn = Created.AddSeconds(1), ModifiedOn = Created.AddSeconds(1) };
        var taskKey = NewId("task-key");
        var taskMapping = new TaskWorkflowMapping { Id = NewId("tm"), TaskKey = taskKey, WorkflowKey = "wf-c", CreatedOn = Created, ModifiedOn = Created, CreatedBy = "bob" };

        foreach (var store in new ITaskServiceStore[] { _stores.Store, _stores.Reference })
        {
            await store.AddEventMappingAsync(later);
            await store.AddEventMappingAsync(eventMapping);
            await store.AddEventMappingAsync(eventMapping);
            await store.AddTaskMappingAsync(taskMapping);
        }

        Assert.Equal([eventMapping, later], await _stores.Store.GetEventMappingsAsync(eventKey));
        Assert.Equal([taskMapping], await _stores.Store.GetTaskMappingsAsync(taskKey));
        Assert.Empty(await _stores.Store.GetEventMappingsAsync(taskKey));
        await AssertSameJsonAsync(EntityKind.EventMapping, eventMapping.Id);
        await AssertSameJsonAsync(EntityKind.TaskMapping, taskMapping.Id);

        // A second mapping of the same keys (another id) is not added while the first is live.
        foreach (var store in new ITaskServiceStore[] { _stores.Store, _stores.Reference })
        {
            Assert.False(await store.AddEventMappingAsync(eventMapping with { Id = NewId("em") }));
            Assert.True(await store.DeleteEventMappingAsync(eventMapping.Id, "carol", Created.AddHours(1)));
            Assert.False(await store.DeleteEventMappingAsync(eventMapping.Id, "carol", Created.AddHours(2)));
            Assert.True(await store.DeleteTaskMappingAsync(taskMapping.Id, "carol", Created.AddHours(1)));
        }

        Assert.Equal([later], await _stores.Store.GetEventMappingsAsync(eventKey));
        Assert.Empty(await _stores.Store.GetTaskMappingsAsync(taskKey));

        // The deleted rows stay, with when and by whom, hidden from reads; their keys can be mapped again under a new id.
        Assert.Equal("carol", await StoreTables.ScalarAsync<string>(_stores.DataSource, "SELECT deleted_by FROM main.event_workflows WHERE id = $1 AND deleted", eventMapping.Id));
        Assert.Null(await _stores.Store.GetAsync(EntityKind.EventMapping, eventMapping.Id, null));
        Assert.Equal(0L, await _stores.Store.CountAsync(EntityKind.TaskMapping, Where($$"""{"taskKey":"{{taskKey}}"}""", EntitySchemas.TaskMapping)));
        var again = eventMapping with { Id = NewId("em"), CreatedOn = Created.AddHours(3), ModifiedOn = Created.AddHours(3) };
        var taskAgain = taskMapping with { Id = NewId("tm") };
        foreach (var store in new ITaskServiceStore[] { _stores.Store, _stores.Reference })
        {
            Assert.True(await store.AddEventMappingAsync(again));
            Assert.True(await store.AddTaskMappingAsync(taskAgain));
        }

        Assert.Equal([later, again], await _stores.Store.GetEventMappingsAsync(eventKey));
        Assert.Equal([taskAgain], await _stores.Store.GetTaskMappingsAsync(taskKey));
        await AssertSameJsonAsync(EntityKind.EventMapping, again.Id);
    }

    [Fact]
    public async Task AClientAppIsAddedOncePerApiKeyWithItsSecretAsGiven()
    {
        var app = new ClientAppRecord { Id = NewId("app"), Name = "Billing", ApiKey = NewId("key"), CreatedOn = Created };
        var row = new ClientAppRow(app, "v1.abcd.c2VhbGVk");

        Assert.True(await _stores.Store.TryAddClientAppAsync(row));
        Assert.False(await _stores.Store.TryAddClientAppAsync(new ClientAppRow(app with { Id = NewId("app") }, "other")));
        await _stores.Reference.TryAddClientAppAsync(row);

        Assert.Equal(row, await _stores.Store.GetClientAppByKeyAsync(app.ApiKey));
        Assert.Equal(row, await _stores.Store.GetClientAppAsync(app.Id));
        Assert.Null(await _stores.Store.GetClientAppByKeyAsync("unknown"));
        Assert.Equal("v1.abcd.c2VhbGVk", await StoreTables.ScalarAsync<string>(_stores.DataSource, "SELECT api_secret FROM main.client_apps WHERE id = $1", app.Id));
        await AssertSameJsonAsync(EntityKind.ClientApp, app.Id);
        Assert.False((await _stores.Store.GetAsync(EntityKind.ClientApp, app.Id, null))!.Value.TryGetProperty("apiSecret", out _));
    }

    [Fact]
    public async Task ARotatedClientAppKeepsItsPreviousSecretUntilTheOverlapEnds()
    {
        var app = new ClientAppRecord { Id = NewId("app"), Name = "Rotating", ApiKey = NewId("key"), CreatedOn = Created };
        await _stores.Store.TryAddClientAppAsync(new ClientAppRow(app, "v1.old.c2VhbGVk"));
        var rotated = new ClientAppRow(app, "v1.new.c2VhbGVk", "v1.old.c2VhbGVk", Created.AddHours(24));

        await _stores.Store.UpdateClientAppSecretsAsync(rotated);

        Assert.Equal(rotated, await _stores.Store.GetClientAppAsync(app.Id));
        Assert.Equal(rotated, await _stores.Store.GetClientAppByKeyAsync(app.ApiKey));
        Assert.Equal("v1.old.c2VhbGVk", rotated.PreviousSecretAt(Created.AddHours(23)));
        Assert.Null(rotated.PreviousSecretAt(Created.AddHours(24)));
        Assert.False((await _stores.Store.GetAsync(EntityKind.ClientApp, app.Id, null))!.Value.TryGetProperty("previousApiSecret", out _));
    }

    [Fact]
    public async Task ASubscriptionIsSavedUpdatedFoundWhileActiveAndDeleted()
    {
        var app = new ClientAppRecord { Id = NewId("app"), Name = "Hooks", ApiKey = NewId("key"), CreatedOn = Created };
        await _stores.Store.TryAddClientAppAsync(new ClientAppRow(app, "secret"));
        var key = NewId("task-created");
        var subscription = new WebhookSubscriptionRecord
        {
            Id = NewId("sub"), Url = "https://example.test/hook?a=1&b='2'", Key = key, ClientAppId = app.Id,
            Status = WebhookSubscriptionStatus.Active, CreatedOn = Created, ModifiedOn = Created,
        };
        var second = subscription with { Id = NewId("sub"), CreatedOn = Created.AddSeconds(1) };

        foreach (var store in new ITaskServiceStore[] { _stores.Store, _stores.Reference })
        {
            await store.SaveSubscriptionAsync(subscription);
            await store.SaveSubscriptionAsync(second);
        }

        Assert.Equal(subscription, await _stores.Store.GetSubscriptionAsync(subscription.Id));
        Assert.Equal([subscription, second], await _stores.Store.GetActiveSubscriptionsAsync(key));
        await AssertSameJsonAsync(EntityKind.WebhookSubscription, subscription.Id);

        var disabled = second with { Status = WebhookSubscriptionStatus.Disabled, StatusReason = "410 Gone", ModifiedOn = Created.AddMinutes(5) };
        await _stores.Store.SaveSubscriptionAsync(disabled);
        await _stores.Reference.SaveSubscriptionAsync(disabled);

        Assert.Equal([subscription], await _stores.Store.GetActiveSubscriptionsAsync(key));
        Assert.Equal(disabled, await _stores.Store.GetSubscriptionAsync(second.Id));
        await AssertSameJsonAsync(EntityKind.WebhookSubscription, second.Id);

        await _stores.Store.DeleteSubscriptionAsync(subscription.Id);
        Assert.Null(await _stores.Store.GetSubscriptionAsync(subscription.Id));
        Assert.Empty(await _stores.Store.GetActiveSubscriptionsAsync(key));
    }

    [Fact]
    public async Task AWorkflowIsWrittenWithItsVersionsWhichASaveReplaces()
    {
        var workflow = NewWorkflow(NewId("wf"), NewId("process"));
        WorkflowVersionRecord[] versions = [NewVersion(workflow, 1), NewVersion(workflow, 2)];

        await SaveBothAsync(new WorkflowAggregate(workflow, versions));

        var loaded = await _stores.Store.LoadWorkflowAsync(workflow.Id);
        Assert.Equal(Canonical(workflow), Canonical(loaded!.Workflow));
        Assert.Equal(versions.Select(Canonical), loaded.Versions.Select(Canonical));
        Assert.Equal(new LiveWorkflow(workflow.Id, workflow.WorkflowVersion), await _stores.Store.FindLiveWorkflowAsync(workflow.ExternalIdentifier));
        Assert.Equal(new LiveWorkflow(workflow.Id, workflow.WorkflowVersion), await _stores.Reference.FindLiveWorkflowAsync(workflow.ExternalIdentifier));
        await AssertSameJsonAsync(EntityKind.Workflow, workflow.Id);

        // Version 1 deleted, version 3 deployed.
        var updated = workflow with { WorkflowVersion = 3, ModifiedOn = Created.AddHours(1) };
        WorkflowVersionRecord[] next = [versions[1], NewVersion(workflow, 3)];
        await SaveBothAsync(new WorkflowAggregate(updated, next));

        loaded = await _stores.Store.LoadWorkflowAsync(workflow.Id);
        Assert.Equal([2, 3], loaded!.Versions.Select(v => v.Version));
        Assert.Equal(next.Select(Canonical), loaded.Versions.Select(Canonical));
        Assert.Equal(new LiveWorkflow(workflow.Id, 3), await _stores.Store.FindLiveWorkflowAsync(workflow.ExternalIdentifier));
        Assert.Equal(new LiveWorkflow(workflow.Id, 3), await _stores.Reference.FindLiveWorkflowAsync(workflow.ExternalIdentifier));
        await AssertSameJsonAsync(EntityKind.Workflow, workflow.Id);

        // Soft delete: the row stays, marked, and is hidden from every read; its process id is free for a new workflow.
        var deleted = updated with { Deleted = true, DeletedOn = Created.AddHours(2), DeletedBy = "carol" };
        await SaveBothAsync(new WorkflowAggregate(deleted, next));
        Assert.Null(await _stores.Store.LoadWorkflowAsync(workflow.Id));
        Assert.Null(await _stores.Store.FindLiveWorkflowAsync(workflow.ExternalIdentifier));
        Assert.Null(await _stores.Store.GetAsync(EntityKind.Workflow, workflow.Id, null));
        Assert.Equal("carol", await StoreTables.ScalarAsync<string>(_stores.DataSource, "SELECT deleted_by FROM main.workflows WHERE id = $1 AND deleted", workflow.Id));

        var successor = NewWorkflow(NewId("wf"), workflow.ExternalIdentifier);
        await SaveBothAsync(new WorkflowAggregate(successor, [NewVersion(successor, 1)]));
        Assert.Equal(successor.Id, (await _stores.Store.FindLiveWorkflowAsync(workflow.ExternalIdentifier))?.Id);
    }

    [Fact]
    public async Task ASecondWorkflowForTheSameProcessIsTheInMemoryStoresConflict()
    {
        var processId = NewId("process");
        var first = NewWorkflow(NewId("wf"), processId);
        var second = NewWorkflow(NewId("wf"), processId);
        await SaveBothAsync(new WorkflowAggregate(first, [NewVersion(first, 1)]));

        var expected = await Assert.ThrowsAsync<TaskServiceException>(() => _stores.Reference.SaveWorkflowAsync(new WorkflowAggregate(second, [NewVersion(second, 1)])));
        var actual = await Assert.ThrowsAsync<TaskServiceException>(() => _stores.Store.SaveWorkflowAsync(new WorkflowAggregate(second, [NewVersion(second, 1)])));

        Assert.Equal(TaskServiceErrorKind.Conflict, actual.Kind);
        Assert.Equal((expected.Kind, expected.Target, expected.Message), (actual.Kind, actual.Target, actual.Message));
        Assert.Null(await _stores.Store.LoadWorkflowAsync(second.Id));
        Assert.Equal(first.Id, (await _stores.Store.FindLiveWorkflowAsync(processId))?.Id);

        // The first workflow itself may be saved again under its process id.
        await _stores.Store.SaveWorkflowAsync(new WorkflowAggregate(first with { Name = "renamed" }, [NewVersion(first, 1)]));
        Assert.Equal("renamed", (await _stores.Store.LoadWorkflowAsync(first.Id))!.Workflow.Name);
    }

    [Fact]
    public async Task EveryTaskStatusIsStoredAsItsContractTextAndReadBackTwice()
    {
        // Twice each: the enum texts are converted once and then reused, in both directions.
        foreach (var status in Enum.GetValues<TaskRecordStatus>().Concat(Enum.GetValues<TaskRecordStatus>()))
        {
            var task = NewTask(NewId("task")) with { Status = status, Description = null, EndDate = null };
            await SaveBothAsync(new TaskAggregate(task, []), []);

            Assert.Equal(status, (await _stores.Store.LoadTaskAsync(task.Id))!.Task.Status);
            await AssertSameJsonAsync(EntityKind.Task, task.Id);
            var expected = JsonSerializer.SerializeToElement(status, ContractJson.Options).GetString();
            Assert.Equal(expected, (await _stores.Store.GetAsync(EntityKind.Task, task.Id, ["status"]))!.Value.GetProperty("status").GetString());
        }
    }

    [Fact]
    public async Task AWorkflowInstanceRowAndItsStateAreWrittenTogether()
    {
        var summary = new WorkflowInstanceSummary
        {
            Id = NewId("instance"), WorkflowId = NewId("wf"), ProcessId = "order-process", Version = 2,
            Status = WorkflowInstanceStatus.Active, Incidents = 1, CreatedOn = Created, ModifiedOn = Created,
        };
        const string state = """{"workflowId":"wf","variables":{"b":1,"a":"x"},"sequence":4}""";

        await _stores.Store.SaveWorkflowInstanceAsync(summary, state);
        await _stores.Reference.SaveWorkflowInstanceAsync(summary, state);

        Assert.True(JsonElement.DeepEquals(JsonElementFactory.Parse(state), JsonElementFactory.Parse((await _stores.Store.LoadWorkflowInstanceStateAsync(summary.Id))!)));
        await AssertSameJsonAsync(EntityKind.WorkflowInstance, summary.Id);

        var ended = summary with { Status = WorkflowInstanceStatus.Completed, Incidents = 0, ModifiedOn = Created.AddMinutes(2), EndedOn = Created.AddMinutes(2) };
        await _stores.Store.SaveWorkflowInstanceAsync(ended, """{"workflowId":"wf","sequence":5}""");
        await _stores.Reference.SaveWorkflowInstanceAsync(ended, "{}");

        Assert.Contains("\"sequence\": 5", await _stores.Store.LoadWorkflowInstanceStateAsync(summary.Id), StringComparison.Ordinal);
        await AssertSameJsonAsync(EntityKind.WorkflowInstance, summary.Id);
        Assert.Null(await _stores.Store.LoadWorkflowInstanceStateAsync("unknown"));
        var finished = Filter($$$$"""{"where":{"workflowId":"{{{{summary.WorkflowId}}}}","endedOn":{"neq":null},"version":{"gte":1.5}}}""", EntitySchemas.WorkflowInstance);
        Assert.Single(await _stores.Store.ListAsync(EntityKind.WorkflowInstance, finished));
    }

    [Fact]
    public async Task ANewWorkflowInstanceIsCreatedOnlyWhenNoRowHasItsId()
    {
        var summary = new WorkflowInstanceSummary
        {
            Id = NewId("instance"), WorkflowId = NewId("wf"), ProcessId = "order-process", Version = 1,
            Status = WorkflowInstanceStatus.Completed, CreatedOn = Created, ModifiedOn = Created, EndedOn = Created,
        };
        const string state = """{"workflowId":"wf","sequence":2}""";
        ITaskServiceStore[] stores = [_stores.Store, _stores.Reference];
        foreach (var store in stores)
        {
            Assert.True(await store.TryCreateWorkflowInstanceAsync(summary, state));
        }

        Assert.True(JsonElement.DeepEquals(JsonElementFactory.Parse(state), JsonElementFactory.Parse((await _stores.Store.LoadWorkflowInstanceStateAsync(summary.Id))!)));
        await AssertSameJsonAsync(EntityKind.WorkflowInstance, summary.Id);

        // Again (the start ran twice), with another state and status: nothing is written, in either store.
        var again = summary with { Status = WorkflowInstanceStatus.Active, EndedOn = null };
        foreach (var store in stores)
        {
            Assert.False(await store.TryCreateWorkflowInstanceAsync(again, """{"workflowId":"wf","sequence":9}""", Created));
            Assert.Equal(2, JsonElementFactory.Parse((await store.LoadWorkflowInstanceStateAsync(summary.Id))!).GetProperty("sequence").GetInt32());
        }

        await AssertSameJsonAsync(EntityKind.WorkflowInstance, summary.Id);
        Assert.DoesNotContain(summary.Id, (await _stores.Store.GetDueWorkflowInstancesAsync(Created.AddYears(1), 10_000)).Select(d => d.Id));
    }

    [Fact]
    public async Task DueWorkflowInstancesArePagedByDueTimeThenId()
    {
        // Due long before anything other tests write, so that these are the only ones due before the bound.
        var due = DateTimeOffset.Parse("1990-05-06T07:08:09.123456Z", System.Globalization.CultureInfo.InvariantCulture);
        var prefix = NewId("due");
        (string Id, DateTimeOffset Due)[] instances = [($"{prefix}-b", due), ($"{prefix}-a", due), ($"{prefix}-c", due.AddSeconds(-1))];
        foreach (var (id, dueOn) in instances)
        {
            var summary = new WorkflowInstanceSummary
            {
                Id = id, WorkflowId = NewId("wf"), ProcessId = "p", Version = 1,
                Status = WorkflowInstanceStatus.Active, CreatedOn = Created, ModifiedOn = Created,
            };
            await _stores.Store.TryCreateWorkflowInstanceAsync(summary, "{}", dueOn);
            await _stores.Reference.TryCreateWorkflowInstanceAsync(summary, "{}", dueOn);
        }

        var bound = due.AddSeconds(1);
        foreach (var store in new ITaskServiceStore[] { _stores.Store, _stores.Reference })
        {
            var first = await store.GetDueWorkflowInstancesAsync(bound, 2);
            Assert.Equal([$"{prefix}-c", $"{prefix}-a"], first.Select(d => d.Id));
            Assert.Equal(due, first[1].DueOn);
            var rest = await store.GetDueWorkflowInstancesAsync(bound, 2, first[^1]);
            Assert.Equal([$"{prefix}-b"], rest.Select(d => d.Id));
            Assert.Empty(await store.GetDueWorkflowInstancesAsync(bound, 2, rest[^1]));
        }
    }

    private async Task SaveBothAsync(TaskAggregate aggregate, IReadOnlyList<OutgoingEvent> outbox)
    {
        await _stores.Store.SaveTaskAsync(aggregate, outbox);
        await _stores.Reference.SaveTaskAsync(aggregate, outbox);
    }

    private async Task SaveBothAsync(WorkflowAggregate aggregate)
    {
        await _stores.Store.SaveWorkflowAsync(aggregate);
        await _stores.Reference.SaveWorkflowAsync(aggregate);
    }

    /// <summary>The row's JSON, whole and projected, is the in-memory store's text for the same record.</summary>
    private async Task AssertSameJsonAsync(EntityKind kind, string id)
    {
        var fields = EntitySchemas.For(kind).Fields.Keys.ToArray();
        IReadOnlyList<string>?[] projections = [null, fields, fields[1..], [fields[^1], fields[0]]];
        foreach (var projection in projections)
        {
            var expected = await _stores.Reference.GetAsync(kind, id, projection);
            var actual = await _stores.Store.GetAsync(kind, id, projection);
            Assert.NotNull(actual);
            Assert.Equal(expected!.Value.GetRawText(), actual.Value.GetRawText());
        }

        var byId = new QueryFilter { Where = new ConditionNode(["id"], FilterOperator.Eq, JsonElementFactory.From(id)) };
        Assert.Equal(
            (await _stores.Reference.ListAsync(kind, byId)).Select(r => r.GetRawText()),
            (await _stores.Store.ListAsync(kind, byId)).Select(r => r.GetRawText()));
    }

    private static string Canonical<T>(T record) => JsonSerializer.Serialize(record, ContractJson.Options);

    private static QueryFilter Filter(string json, EntitySchema schema) => FilterParser.ParseFilter(json, schema).OrThrow();

    private static FilterNode? Where(string json, EntitySchema schema) => FilterParser.ParseWhere(json, schema).OrThrow();

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static TaskRecord NewTask(string id) => new()
    {
        Id = id,
        Key = "review",
        Name = "Review 'contract'",
        Description = "C:\\temp \"quoted\"",
        Status = TaskRecordStatus.Pending,
        Priority = "high",
        Type = "approval",
        StartDate = Created,
        DueDate = Created.AddDays(7),
        Metadata = JsonElementFactory.Parse("""{"n":2,"id":"c-1","tags":["x"]}"""),
        ExternalId = "instance-1",
        Notes = "日本語 😀",
        EventId = "event-1",
        CreatedOn = Created,
        ModifiedOn = Created,
    };

    private static UserTaskRecord NewUserTask(string taskId, string name, string[]? groups) => new()
    {
        Id = NewId("ut"),
        TaskId = taskId,
        Name = name,
        Status = UserTaskStatus.Pending,
        ExternalId = NewId("engine"),
        Assignee = groups is null ? "bob" : null,
        CandidateGroups = groups,
        DueDate = groups is null ? null : Created.AddDays(1),
        CreatedOn = Created.AddSeconds(name[^1] - '0'),
        ModifiedOn = Created,
    };

    private static OutgoingEvent NewOutgoing(string id) => new()
    {
        Id = id,
        Key = OutgoingEventTypes.TaskCreated,
        Payload = JsonElementFactory.Parse("""{"createdTasks":[]}"""),
        Timestamp = 1767323045123,
    };

    private static WorkflowRecord NewWorkflow(string id, string processId) => new()
    {
        Id = id,
        Name = "Order approval",
        ExternalIdentifier = processId,
        Provider = "embedded",
        WorkflowVersion = 1,
        InputSchema = JsonElementFactory.Parse("""{"type":"object","required":["orderId"]}"""),
        CreatedOn = Created,
        ModifiedOn = Created,
        CreatedBy = "alice",
        ModifiedBy = "bob",
    };

    private static WorkflowVersionRecord NewVersion(WorkflowRecord workflow, int version) => new()
    {
        WorkflowId = workflow.Id,
        Version = version,
        BpmnDiagram = $"<definitions version='{version}'/>",
        ExternalWorkflowId = $"{workflow.ExternalIdentifier}:{version}:{workflow.Id}",
        InputSchema = JsonElementFactory.Parse("""{"type":"object"}"""),
        CreatedOn = Created.AddMinutes(version),
    };
}
