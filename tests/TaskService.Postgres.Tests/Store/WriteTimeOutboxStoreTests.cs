using Npgsql;
using TaskService.Events;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Tasks;
using TaskService.Webhooks;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// A task created with its outgoing event, and an outgoing event written claimed with its webhook delivery rows: one write, all
/// or nothing, nothing twice on a rerun, and rows only for the events the write added. Both stores answer the same; each test
/// has a database of its own, since claims take whatever is oldest.
/// </summary>
public sealed class WriteTimeOutboxStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private readonly ManualTimeProvider _time = new(DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture));

    private StoreUnderTest _stores = null!;

    private ITaskServiceStore[] Both => [_stores.Store, _stores.Reference];

    public async Task InitializeAsync() => _stores = await StoreUnderTest.CreateAsync(_time);

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [Fact]
    public async Task ATaskCreatedWithItsEventWritesTheTaskItsHistoryTheOutboxEntryAndItsDeliveryRowsTogetherAndARerunNothing()
    {
        var task = NewTask("t-1");
        var outgoing = Outgoing("created-1");
        QueuedDelivery[] rows = [Row("sub-a", outgoing), Row("sub-b", outgoing), Row("sub-a", Outgoing("not-written"))];
        foreach (var store in Both)
        {
            var creation = await store.TryCreateTaskAsync(task, Created(task), [outgoing], Lease, rows);

            Assert.True(creation.Created);
            var entry = Assert.Single(creation.Claimed);
            Assert.Equal(outgoing.Id, entry.Event.Id);
            // The rows of the event, in the given order with their sequence; none of an event the write did not add.
            Assert.Equal(["sub-a", "sub-b"], entry.Deliveries!.Select(d => d.SubscriptionId));
            Assert.True(entry.Deliveries![0].Sequence < entry.Deliveries[1].Sequence);
            var pending = await Pending(store);
            Assert.Equal(entry.Deliveries.Select(d => d.Id), pending.Select(d => d.Id));

            // Each row keeps the event as written, key order included (a delivery after a restart sends the same body).
            Assert.All(pending, d => Assert.Equal(Canonical(outgoing), Canonical(d.Event)));

            // The step ran again: the task is there, so nothing is written, neither its event nor any row.
            var again = await store.TryCreateTaskAsync(task with { Name = "changed" }, Created(task) with { Id = "history-again" }, [outgoing], Lease, rows);

            Assert.Equal(TaskCreation.Existing, again);
            Assert.Equal(task.Name, (await store.LoadTaskAsync(task.Id))!.Task.Name);
            Assert.Equal(entry.Deliveries.Select(d => d.Id), (await Pending(store)).Select(d => d.Id));
        }

        Assert.Equal(1L, await CountAsync("main.task_history", "task_id", task.Id));
        Assert.Equal(1L, await CountAsync("main.outbox", "event_id", outgoing.Id));

        // Written claimed: no other dispatcher takes it until the claim runs out.
        Assert.Empty(await _stores.Store.ClaimOutboxAsync(10, Lease));
        _time.Advance(Lease);
        Assert.Equal([outgoing.Id], (await _stores.Store.ClaimOutboxAsync(10, Lease)).Select(e => e.Event.Id));
    }

    [Fact]
    public async Task EventsWrittenDispatchedWithTheirRowsAreNeitherPendingNorClaimedAndOnlyWithRows()
    {
        var task = NewTask("t-dispatched");
        var outgoing = Outgoing("created-dispatched");
        var appended = Outgoing("appended-dispatched");
        var withoutRows = Outgoing("no-rows");
        foreach (var store in Both)
        {
            var creation = await store.TryCreateTaskAsync(task, Created(task), [outgoing], Lease, [Row("sub-a", outgoing)], dispatched: true);
            var entries = await store.AppendClaimedOutboxAsync([appended], Lease, [Row("sub-b", appended)], dispatched: true);

            // Without rows there is nothing the entry was handed over to: it stays for the dispatcher to mark.
            var plain = await store.AppendClaimedOutboxAsync([withoutRows], Lease, null, dispatched: true);

            Assert.True(Assert.Single(creation.Claimed).Dispatched);
            Assert.True(Assert.Single(entries).Dispatched);
            Assert.False(Assert.Single(plain).Dispatched);
            Assert.Equal(["sub-a", "sub-b"], (await Pending(store)).Select(d => d.SubscriptionId).Order());
            Assert.Equal(1, (await store.GetOutboxBacklogAsync()).Count);
        }

        Assert.Equal(2L, await StoreTables.ScalarAsync<long>(_stores.DataSource, "SELECT count(*) FROM main.outbox WHERE dispatched_on = created_on"));

        // The claims run out: only the entry without rows is handed over again.
        _time.Advance(Lease);
        Assert.Equal([withoutRows.Id], (await _stores.Store.ClaimOutboxAsync(10, Lease)).Select(e => e.Event.Id));
    }

    [Fact]
    public async Task WhenAnyPartOfTheCreationFailsNothingOfItIsWritten()
    {
        var task = NewTask("t-failing");

        // A delivery row PostgreSQL refuses (no client app) takes the task, its history and its outbox entry with it.
        var refused = Row("sub-a", Outgoing("created-failing")) with { ClientAppId = null! };
        await Assert.ThrowsAnyAsync<Exception>(() => _stores.Store.TryCreateTaskAsync(task, Created(task), [Outgoing("created-failing")], Lease, [refused]));

        Assert.Null(await _stores.Store.LoadTaskAsync(task.Id));
        Assert.Equal(0L, await CountAsync("main.task_history", "task_id", task.Id));
        Assert.Equal(0L, await CountAsync("main.outbox", "event_id", "created-failing"));

        // An outgoing event PostgreSQL refuses (jsonb holds no U+0000) does the same.
        var unstorable = Outgoing("created-unstorable") with { Payload = JsonElementFactory.Parse("""{"text":"a\u0000b"}""") };
        await Assert.ThrowsAnyAsync<Exception>(() => _stores.Store.TryCreateTaskAsync(task, Created(task), [unstorable], Lease, []));

        Assert.Null(await _stores.Store.LoadTaskAsync(task.Id));
        Assert.Equal(0L, await CountAsync("main.task_history", "task_id", task.Id));

        // Then it is written whole.
        Assert.True((await _stores.Store.TryCreateTaskAsync(task, Created(task), [Outgoing("created-failing")], Lease, [Row("sub-a", Outgoing("created-failing"))])).Created);
        Assert.Equal(1L, await CountAsync("main.webhook_deliveries", "event_id", "created-failing"));
    }

    [Fact]
    public async Task UnclaimedTheEventIsWrittenWithTheTaskForAnyDispatcherAndNoRowIsAppended()
    {
        var task = NewTask("t-unclaimed");
        var outgoing = Outgoing("created-unclaimed");
        foreach (var store in Both)
        {
            var creation = await store.TryCreateTaskAsync(task, Created(task), [outgoing], claimFor: null, [Row("sub-a", outgoing)]);

            Assert.Equal((true, 0), (creation.Created, creation.Claimed.Count));
            Assert.Equal([outgoing.Id], (await store.ClaimOutboxAsync(10, Lease)).Select(e => e.Event.Id));
            Assert.Empty(await Pending(store));
        }
    }

    [Fact]
    public async Task RowsComeOnlyWithTheEventsAWriteAddsAndAreNeverAppendedTwice()
    {
        var task = NewTask("t-saved");
        var known = Outgoing("known");
        var fresh = Outgoing("fresh");
        foreach (var store in Both)
        {
            await store.AppendOutboxAsync([known]);

            // The known event is not added again, so it gets no row (it gets its rows when it is dispatched); the new one does.
            var saved = await store.SaveTaskAsync(new TaskAggregate(task, []), [known, fresh], null, Lease, [Row("sub-a", known), Row("sub-a", fresh)]);

            var entry = Assert.Single(saved);
            Assert.Equal(fresh.Id, entry.Event.Id);
            Assert.Equal([fresh.Id], entry.Deliveries!.Select(d => d.Event.Id));

            // The same rows appended again (the entry handed over once more) are not added twice.
            Assert.Empty(await store.AppendDeliveriesAsync([Row("sub-a", fresh)]));
            Assert.Equal([fresh.Id], (await Pending(store)).Select(d => d.Event.Id));

            // Without rows, an entry comes back without any: the webhook connector appends them when it is handed over.
            var bare = Assert.Single(await store.AppendClaimedOutboxAsync([Outgoing("bare")], Lease));
            Assert.Null(bare.Deliveries);
            var published = Assert.Single(await store.AppendClaimedOutboxAsync([Outgoing("published")], Lease, [Row("sub-a", Outgoing("published"))]));
            Assert.Equal(["published"], published.Deliveries!.Select(d => d.Event.Id));
        }
    }

    [Fact]
    public async Task DispatchedEntriesPastTheRetentionAreDeletedAndTheirIdsCanComeAgainWhileEntriesNotDispatchedStayAndArePassedOver()
    {
        var written = _time.GetUtcNow();
        var old = Outgoing("old-dispatched");
        await _stores.SameAnswerAsync(async store =>
        {
            await store.AppendOutboxAsync([Outgoing("old-not-dispatched")]);
            return 0;
        });
        await _stores.SameAnswerAsync(store => store.AppendClaimedOutboxAsync([old], Lease, [Row("sub-a", old)], dispatched: true));
        _time.Advance(TimeSpan.FromDays(1));
        var recent = Outgoing("recent-dispatched");
        await _stores.SameAnswerAsync(store => store.AppendClaimedOutboxAsync([recent], Lease, [Row("sub-a", recent)], dispatched: true));

        Assert.Equal(0, await _stores.SameAnswerAsync(store => store.PurgeOutboxAsync(written, 100)));
        Assert.Equal(0, await _stores.SameAnswerAsync(store => store.PurgeOutboxAsync(_time.GetUtcNow(), 0)));

        // Looking at one entry: the oldest dispatched one, past the entry before it that waits to be dispatched.
        Assert.Equal(1, await _stores.SameAnswerAsync(store => store.PurgeOutboxAsync(_time.GetUtcNow(), 1)));

        // The purged id is new again; the recent one is still known; the old entry not yet dispatched is still there to claim.
        Assert.Equal(["old-dispatched"], (await _stores.SameAnswerAsync(store => store.AppendClaimedOutboxAsync([old], Lease))).Select(e => e.Event.Id));
        Assert.Empty(await _stores.SameAnswerAsync(store => store.AppendClaimedOutboxAsync([recent], Lease)));
        _time.Advance(Lease * 2);
        foreach (var store in new ITaskServiceStore[] { _stores.Store, _stores.Reference })
        {
            // Compared by id: an entry read back from PostgreSQL has jsonb's key order.
            Assert.Equal(["old-not-dispatched", "old-dispatched"], (await store.ClaimOutboxAsync(10, Lease)).Select(e => e.Event.Id));
        }
    }

    [Fact]
    public async Task TheStatementThatCreatesATaskWithItsEventIsPlannedOnceForAllValues()
    {
        // The silo's group-commit source, held to one connection so that every batch runs in the session read afterwards.
        await using var groupCommit = Hosting.PostgresStoreExtensions.CreateDataSource($"{_stores.ConnectionString};Maximum Pool Size=1", groupCommit: true);
        var store = new TaskService.Storage.Postgres.PostgresTaskServiceStore(_stores.DataSource, _time, groupCommit);
        const int Creations = 16;
        for (var i = 0; i < Creations; i++)
        {
            var outgoing = Outgoing($"planned-{i}");
            Assert.True((await store.TryCreateTaskAsync(NewTask($"t-planned-{i}"), Created(NewTask($"t-planned-{i}")), [outgoing], Lease, [Row("sub-a", outgoing), Row("sub-b", outgoing)])).Created);
        }

        await using var command = groupCommit.CreateCommand(
            "SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement LIKE 'WITH t AS%INSERT INTO main.tasks%INSERT INTO main.outbox%'");
        await using var reader = await command.ExecuteReaderAsync();
        Assert.True(await reader.ReadAsync(), "the statement is prepared");
        var (generic, custom) = (reader.GetInt64(0), reader.GetInt64(1));

        // Prepared after its first few executions, it is planned for the values of the next five, then PostgreSQL keeps one plan
        // for all values unless that looks costlier; planned anew each time, the statement cost more to plan than to run.
        Assert.True(custom <= 5 && generic > 0, $"planned for its values {custom} time(s), for all values {generic} time(s)");
    }

    private static TaskRecord NewTask(string id) => new()
    {
        Id = id,
        Key = "k",
        Name = "n",
        Status = TaskRecordStatus.Pending,
        CreatedOn = DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture),
        ModifiedOn = DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture),
    };

    private static TaskHistoryEntry Created(TaskRecord task) => new()
    {
        Id = $"history-{task.Id}",
        TaskId = task.Id,
        Action = TaskHistoryActions.Created,
        By = TaskHistoryActions.WorkflowActor,
        On = task.CreatedOn,
    };

    private QueuedDelivery Row(string subscriptionId, OutgoingEvent outgoing) => QueuedDelivery.First(
        new WebhookSubscriptionRecord { Id = subscriptionId, Url = "http://example.test/hook", Key = outgoing.Key, ClientAppId = "app" },
        outgoing,
        _time.GetUtcNow());

    private static async Task<IReadOnlyList<QueuedDelivery>> Pending(ITaskServiceStore store) =>
        [.. (await store.GetPendingDeliveriesAsync("sub-a", 100)).Concat(await store.GetPendingDeliveriesAsync("sub-b", 100)).OrderBy(d => d.Sequence)];

    private async Task<long> CountAsync(string table, string column, string value) =>
        await StoreTables.ScalarAsync<long>(_stores.DataSource, $"SELECT count(*) FROM {table} WHERE {column} = $1", value);

    private static OutgoingEvent Outgoing(string id) => new()
    {
        Id = id,
        Key = OutgoingEventTypes.TaskCreated,
        Payload = JsonElementFactory.Parse($$"""{"zeta":1,"id":"{{id}}","alpha":[1.0,"x"]}"""),
        Timestamp = 1767323045000,
    };

    private static string Canonical(OutgoingEvent value) => System.Text.Json.JsonSerializer.Serialize(value, ContractJson.Options);
}
