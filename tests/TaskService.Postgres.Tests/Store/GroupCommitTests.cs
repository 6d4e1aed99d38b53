using System.Diagnostics.Metrics;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using TaskService.ClientApps;
using TaskService.Errors;
using TaskService.Events;
using TaskService.Hosting;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Storage.Postgres;
using TaskService.Tasks;
using TaskService.Testing;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// Writes made at the same moment share batches (group commit): each caller still gets its own answer (the rows its statements
/// returned, whatever the writes around it returned), a write PostgreSQL refuses fails alone, and the batch commits fewer
/// transactions than there were writes.
/// </summary>
public sealed class GroupCommitTests : IAsyncLifetime
{
    private const int Writers = 200;

    private StoreUnderTest _stores = null!;

    public async Task InitializeAsync() => _stores = await StoreUnderTest.CreateAsync(TimeProvider.System);

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [Fact]
    public async Task ConcurrentWritesOfEveryKindEachGetTheirOwnAnswerFromSharedCommits()
    {
        var subscription = new WebhookSubscriptionRecord { Id = "sub-g", Url = "http://g.test/", Key = "task-created", ClientAppId = "app-g" };
        await _stores.Store.TryAddClientAppAsync(new ClientAppRow(new ClientAppRecord { Id = "app-g", Name = "group", ApiKey = "key-g", CreatedOn = DateTimeOffset.UtcNow }, "secret"));
        await _stores.Store.SaveSubscriptionAsync(subscription);
        for (var i = 0; i < Writers; i += 2)
        {
            await _stores.Store.RecordEventAsync(Event(i));
        }

        // Interleaved in one burst: event records (a row each: new or not), tasks with their outgoing event (no rows),
        // claimed outbox appends and delivery appends (rows with sequences), and instance saves (no rows).
        var now = DateTimeOffset.UtcNow;
        var recorded = Enumerable.Range(0, Writers).Select(i => _stores.Store.RecordEventAsync(Event(i))).ToArray();
        var tasks = Enumerable.Range(0, Writers).Select(i => _stores.Store.SaveTaskAsync(NewTask(i, now), [Outgoing($"task-{i}")])).ToArray();
        var claimed = Enumerable.Range(0, Writers).Select(i => _stores.Store.AppendClaimedOutboxAsync([Outgoing($"claimed-{i}")], TimeSpan.FromMinutes(1))).ToArray();
        var deliveries = Enumerable.Range(0, Writers).Select(i => _stores.Store.AppendDeliveriesAsync([QueuedDelivery.First(subscription, Outgoing($"delivery-{i}"), now)])).ToArray();
        var instances = Enumerable.Range(0, Writers).Select(i => _stores.Store.SaveWorkflowInstanceAsync(Instance(i, now), "{}")).ToArray();
        await Task.WhenAll([.. recorded, .. tasks, .. claimed, .. deliveries, .. instances]);

        for (var i = 0; i < Writers; i++)
        {
            Assert.Equal(i % 2 == 0 ? EventRecording.Unrouted : EventRecording.New, await recorded[i]);
            Assert.Equal($"claimed-{i}", Assert.Single(await claimed[i]).Event.Id);
            Assert.Equal($"delivery-{i}", Assert.Single(await deliveries[i]).Event.Id);
        }

        Assert.Equal(Writers, (await Task.WhenAll(claimed)).Select(c => c[0].Sequence).Distinct().Count());
        Assert.Equal(Writers, (await Task.WhenAll(deliveries)).Select(d => d[0].Sequence).Distinct().Count());
        Assert.Equal(Writers, await CountAsync("main.tasks"));
        Assert.Equal(Writers, await CountAsync("main.workflow_instances"));
        Assert.Equal(Writers * 2L, await CountAsync("main.outbox"));

        // Four writes per writer left rows (tasks, instances, outbox rows, deliveries); the transactions that wrote them, told
        // apart by their ids, are far fewer: each batch (two run at a time) took many writes.
        var transactions = await TransactionsAsync();
        Assert.True(transactions < Writers, $"{Writers * 4} writes took {transactions} transactions");
    }

    [Fact]
    public async Task AWritePostgreSqlRefusesFailsAloneAndTheWritesBesideItCommit()
    {
        var now = DateTimeOffset.UtcNow;
        var good = Enumerable.Range(0, 50).Select(i => _stores.Store.SaveTaskAsync(NewTask(i, now), [Outgoing($"good-{i}")])).ToArray();
        var refused = _stores.Store.RecordEventAsync(Event(999) with { Payload = JsonElementFactory.Parse("""{"a":"x\u0000y"}""") });
        var more = Enumerable.Range(50, 50).Select(i => _stores.Store.RecordEventAsync(Event(i))).ToArray();

        var error = await Assert.ThrowsAsync<TaskServiceException>(() => refused);
        Assert.Equal(TaskServiceErrorKind.Invalid, error.Kind);
        await Task.WhenAll(good);
        Assert.All(await Task.WhenAll(more), r => Assert.Equal(EventRecording.New, r));
        Assert.Equal(50L, await CountAsync("main.tasks"));
        Assert.Equal(50L, await CountAsync("main.events"));
        Assert.Equal(50L, await CountAsync("main.outbox"));
    }

    [Theory]
    [InlineData(PostgresCommandBatcher.DefaultWritesToStartAnotherBatch)]
    [InlineData(32)]
    public async Task WritesArrivingWhileABatchRunsWaitForItUntilEnoughOfThemStartAnotherBatch(int writesToStartAnotherBatch)
    {
        await ExecuteAsync("CREATE TABLE main.group_gate (n int); CREATE TABLE main.group_probe (n int)");
        var lane = $"lane-{Guid.NewGuid():N}";
        var batcher = new PostgresCommandBatcher(_stores.GroupCommitSource, writesToStartAnotherBatch, lane);
        Assert.Equal(writesToStartAnotherBatch, batcher.WritesToStartAnotherBatch);
        using var batches = new BatchWritesListener(lane);

        // The first batch waits on a lock this test holds, so it runs until the test lets it go.
        await using var gate = await BlockABatchAsync(batcher, "main.group_gate");

        // Fewer writes than start a batch of their own wait in the queue for the running one, however far apart they come
        // (here a round trip of another connection apart: time enough for a batch of each).
        var writes = new List<Task>();
        for (var i = 1; i < batcher.WritesToStartAnotherBatch; i++)
        {
            writes.Add(batcher.WriteAsync("probe", [Probe(i)]));
            await ExecuteAsync("SELECT 1");
        }

        Assert.Equal(batcher.WritesToStartAnotherBatch - 1, batcher.QueuedWrites);
        Assert.DoesNotContain(writes, w => w.IsCompleted);

        // One more starts a batch beside the blocked one, which takes them all and commits them together.
        writes.Add(batcher.WriteAsync("probe", [Probe(batcher.WritesToStartAnotherBatch)]));
        await Task.WhenAll(writes);
        Assert.False(gate.Blocked.IsCompleted);
        Assert.Equal(0, batcher.QueuedWrites);
        Assert.Equal(batcher.WritesToStartAnotherBatch, await ScalarAsync("SELECT count(*) FROM main.group_probe"));
        Assert.Equal(1L, await ScalarAsync("SELECT count(DISTINCT xmin::text) FROM main.group_probe"));

        // The metric of writes per batch counts the batch that took them all, then the blocked one with its single write.
        await gate.ReleaseAsync();
        await gate.Blocked;
        var recorded = await Eventually.ReturnsAsync(() => batches.Writes, w => w.Length >= 2, because: "both batches are measured");
        Assert.Equal([batcher.WritesToStartAnotherBatch, 1], recorded);

        static NpgsqlBatchCommand Probe(int n) => new("INSERT INTO main.group_probe VALUES ($1)") { Parameters = { new NpgsqlParameter<int> { TypedValue = n } } };
    }

    [Fact]
    public async Task WritesWaitingBesideABatchThatRunsPastTheSlowBatchTimeGoInABatchOfTheirOwn()
    {
        await ExecuteAsync("CREATE TABLE main.slow_gate (n int); CREATE TABLE main.slow_probe (n int)");
        var time = new FakeTimeProvider();
        var batcher = new PostgresCommandBatcher(_stores.GroupCommitSource, writesToStartAnotherBatch: 1000, slowBatch: TimeSpan.FromSeconds(1), time: time);
        Assert.Equal(TimeSpan.FromSeconds(1), batcher.SlowBatch);
        await using var gate = await BlockABatchAsync(batcher, "main.slow_gate");

        // Until the blocked batch has run for the slow-batch time (on the batcher's clock), a write waits for it.
        var first = batcher.WriteAsync("probe", [Probe(1)]);
        await ExecuteAsync("SELECT 1");
        time.Advance(TimeSpan.FromMilliseconds(999));
        await ExecuteAsync("SELECT 1");
        Assert.Equal(1, batcher.QueuedWrites);
        Assert.False(first.IsCompleted);

        // Once it has, the waiting write goes in a batch beside it, with no other write coming to start one.
        time.Advance(TimeSpan.FromMilliseconds(1));
        await first.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.False(gate.Blocked.IsCompleted);
        Assert.Equal(0, batcher.QueuedWrites);

        // The blocked batch commits its own write once let go.
        await gate.ReleaseAsync();
        await gate.Blocked.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM main.slow_probe"));

        static NpgsqlBatchCommand Probe(int n) => new("INSERT INTO main.slow_probe VALUES ($1)") { Parameters = { new NpgsqlParameter<int> { TypedValue = n } } };
    }

    [Fact]
    public void ASlowBatchTimeIsMoreThanNoTimeAndAtMostAnHour()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgresCommandBatcher(_stores.GroupCommitSource, slowBatch: TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgresCommandBatcher(_stores.GroupCommitSource, slowBatch: TimeSpan.FromDays(60)));
        Assert.Null(new PostgresCommandBatcher(_stores.GroupCommitSource).SlowBatch);
    }

    [Fact]
    public async Task AfterABusyBatchCommitsTheWritesWaitingWaitTheCommitDelayAndThoseArrivingMeanwhileShareTheirCommit()
    {
        await ExecuteAsync("CREATE TABLE main.delay_gate (n int); CREATE TABLE main.delay_hold (n int); CREATE TABLE main.delay_probe (n int)");
        var time = new FakeTimeProvider();
        var batcher = new PostgresCommandBatcher(_stores.GroupCommitSource, writesToStartAnotherBatch: 1000, time: time, commitDelay: TimeSpan.FromSeconds(1));
        Assert.Equal(TimeSpan.FromSeconds(1), batcher.CommitDelay);
        await using var gate = await BlockABatchAsync(batcher, "main.delay_gate");

        // A busy batch: as many writes as make one, the last of them held on a lock this test takes, queued behind the gate.
        await using var hold = await _stores.DataSource.OpenConnectionAsync();
        var holding = await hold.BeginTransactionAsync();
        await using (var lockTable = new NpgsqlCommand("LOCK TABLE main.delay_hold IN ACCESS EXCLUSIVE MODE", hold, holding))
        {
            await lockTable.ExecuteNonQueryAsync();
        }

        var busy = Enumerable.Range(1, PostgresCommandBatcher.WritesOfABusyBatch - 1).Select(i => batcher.WriteAsync("probe", [Probe(i)])).ToList();
        busy.Add(batcher.WriteAsync("probe", [new NpgsqlBatchCommand("INSERT INTO main.delay_hold VALUES (0)")]));
        await gate.ReleaseAsync();
        await gate.Blocked.WaitAsync(TimeSpan.FromSeconds(30));
        await Eventually.ReturnsAsync(
            () => ScalarAsync("SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO main.delay_hold%'"),
            waiting => waiting == 1, because: "the busy batch waits on the lock");

        // A write queued while it runs waits, once it commits, for the commit delay on the batcher's clock, and one more
        // arriving meanwhile joins it.
        var first = batcher.WriteAsync("probe", [Probe(100)]);
        await holding.CommitAsync();
        await Task.WhenAll(busy).WaitAsync(TimeSpan.FromSeconds(30));
        var second = batcher.WriteAsync("probe", [Probe(101)]);
        await ExecuteAsync("SELECT 1");
        Assert.False(first.IsCompleted);
        Assert.False(second.IsCompleted);
        Assert.Equal(2, batcher.QueuedWrites);

        // Once the delay has passed, both go in one batch: one commit.
        await Eventually.ReturnsAsync(
            () =>
            {
                time.Advance(TimeSpan.FromSeconds(1));
                return first.IsCompleted && second.IsCompleted;
            },
            done => done, because: "the waiting writes commit once the delay has passed");
        await Task.WhenAll(first, second);
        Assert.Equal(1L, await ScalarAsync("SELECT count(DISTINCT xmin::text) FROM main.delay_probe WHERE n >= 100"));
        Assert.Equal(2L, await ScalarAsync("SELECT count(DISTINCT xmin::text) FROM main.delay_probe"));

        static NpgsqlBatchCommand Probe(int n) => new("INSERT INTO main.delay_probe VALUES ($1)") { Parameters = { new NpgsqlParameter<int> { TypedValue = n } } };
    }

    [Fact]
    public async Task AfterABatchOfFewerWritesThanABusyOneTheNextStartsAtOnceWhateverTheCommitDelay()
    {
        await ExecuteAsync("CREATE TABLE main.calm_gate (n int); CREATE TABLE main.calm_probe (n int)");
        var time = new FakeTimeProvider();
        var batcher = new PostgresCommandBatcher(_stores.GroupCommitSource, writesToStartAnotherBatch: 1000, time: time, commitDelay: TimeSpan.FromSeconds(1));
        await using var gate = await BlockABatchAsync(batcher, "main.calm_gate");

        // Behind a batch of one write (a service at rest), a waiting write commits with the clock standing still.
        var write = batcher.WriteAsync("probe", [new NpgsqlBatchCommand("INSERT INTO main.calm_probe VALUES (1)")]);
        Assert.Equal(1, batcher.QueuedWrites);
        await gate.ReleaseAsync();
        await gate.Blocked.WaitAsync(TimeSpan.FromSeconds(30));
        await write.WaitAsync(TimeSpan.FromSeconds(30));
        Assert.Equal(1L, await ScalarAsync("SELECT count(*) FROM main.calm_probe"));
    }

    [Fact]
    public void TheStoreGivesItsGroupCommitTheCommitDelayItIsGivenAndNoneForZero()
    {
        Assert.Equal(TimeSpan.FromMilliseconds(1), new PostgresTaskServiceStore(_stores.DataSource, commitDelay: TimeSpan.FromMilliseconds(1)).Batcher.CommitDelay);
        Assert.Null(new PostgresTaskServiceStore(_stores.DataSource, commitDelay: TimeSpan.Zero).Batcher.CommitDelay);
        Assert.Null(new PostgresTaskServiceStore(_stores.DataSource).Batcher.CommitDelay);
        Assert.Equal(TimeSpan.Zero, new GroupCommitOptions().CommitDelay);
    }

    [Fact]
    public void ACommitDelayIsMoreThanNoTimeAndAtMostASecond()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgresCommandBatcher(_stores.GroupCommitSource, commitDelay: TimeSpan.Zero));
        Assert.Throws<ArgumentOutOfRangeException>(() => new PostgresCommandBatcher(_stores.GroupCommitSource, commitDelay: TimeSpan.FromSeconds(2)));
        Assert.Null(new PostgresCommandBatcher(_stores.GroupCommitSource).CommitDelay);
    }

    [Fact]
    public async Task WritesPastTheStatementBoundOfABatchGoInTheNextBatchWhole()
    {
        await ExecuteAsync("CREATE TABLE main.bound_gate (n int); CREATE TABLE main.bound_probe (w int, n int)");
        var batcher = new PostgresCommandBatcher(_stores.GroupCommitSource, writesToStartAnotherBatch: 1000);
        await using var gate = await BlockABatchAsync(batcher, "main.bound_gate");

        // Three writes of 200 statements wait for the blocked batch's runner: two fit under the bound of 500, the third does not.
        const int Statements = 200;
        var writes = Enumerable.Range(1, 3)
            .Select(w => batcher.WriteAsync("probe", [.. Enumerable.Range(0, Statements).Select(n => Probe(w, n))]))
            .ToArray();
        Assert.Equal(3, batcher.QueuedWrites);

        await gate.ReleaseAsync();
        await Task.WhenAll([gate.Blocked, .. writes]);

        Assert.Equal(0, batcher.QueuedWrites);
        Assert.Equal(3L * Statements, await ScalarAsync("SELECT count(*) FROM main.bound_probe"));
        Assert.Equal(1L, await ScalarAsync("SELECT count(DISTINCT xmin::text) FROM main.bound_probe WHERE w IN (1, 2)"));
        Assert.Equal(1L, await ScalarAsync("SELECT count(DISTINCT xmin::text) FROM main.bound_probe WHERE w = 3"));
        Assert.Equal(2L, await ScalarAsync("SELECT count(DISTINCT xmin::text) FROM main.bound_probe"));

        static NpgsqlBatchCommand Probe(int w, int n) => new("INSERT INTO main.bound_probe VALUES ($1, $2)")
        {
            Parameters = { new NpgsqlParameter<int> { TypedValue = w }, new NpgsqlParameter<int> { TypedValue = n } },
        };
    }

    [Fact]
    public async Task AWriteOnceCommittedIsNotKeptAliveByTheBatcher()
    {
        // A young-generation collection keeps whatever an older object points to: a queue that held on to the writes it
        // handed out kept every write of the last second alive, with its statements and rows, and made those collections long.
        // One connection runs every batch: a connection keeps its last batch's statements until its next batch, and with a pool
        // shared with other tests an idle connection could keep one of the first writes' statements that long.
        await using var dataSource = PostgresStoreExtensions.CreateDataSource(_stores.ConnectionString + ";Maximum Pool Size=1", groupCommit: true);
        var batcher = new PostgresCommandBatcher(dataSource);
        var written = new List<WeakReference>();
        for (var i = 0; i < 20; i++)
        {
            written.Add(await WriteAndForgetAsync(batcher, i));
        }

        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();

        // The connection may still point to the statements of the last batch it ran, until it runs the next one.
        Assert.Equal(0, written.Take(15).Count(w => w.IsAlive));
        GC.KeepAlive(batcher);

        [MethodImpl(MethodImplOptions.NoInlining)]
        static async Task<WeakReference> WriteAndForgetAsync(PostgresCommandBatcher batcher, int n)
        {
            var command = new NpgsqlBatchCommand("SELECT $1") { Parameters = { new NpgsqlParameter<int> { TypedValue = n } } };
            await batcher.WriteAsync("probe", [command]);
            return new WeakReference(command);
        }
    }

    [Fact]
    public async Task AStatementPreparedInABatchThatFailedRunsAgainInTheBatchesAfterIt()
    {
        // Prepared on its second use, so in the batch that fails; one connection, so every batch runs where it was prepared.
        await using var dataSource = PostgresStoreExtensions.CreateDataSource(
            _stores.ConnectionString + ";Auto Prepare Min Usages=2;Maximum Pool Size=1", groupCommit: true);
        var batcher = new PostgresCommandBatcher(dataSource);

        var first = await DivideInOneBatchAsync(batcher, [1, 0, 4, 5]);
        var next = await DivideInOneBatchAsync(batcher, [2, 10]);

        Assert.Equal(100, await first[0]);
        Assert.Equal(PostgresErrorCodes.DivisionByZero, (await Assert.ThrowsAsync<PostgresException>(() => first[1])).SqlState);
        Assert.Equal(25, await first[2]);
        Assert.Equal(20, await first[3]);
        var quotients = await Task.WhenAll(next);
        Assert.Equal([50, 10], quotients);
    }

    [Fact]
    public async Task WritesOfOneMergedStatementRunAsOneStatementAndEachGetsItsOwnRowsAndItsOwnError()
    {
        var batcher = new PostgresCommandBatcher(_stores.GroupCommitSource);
        var division = new MergedDivision();

        var first = await DivideMergedInOneBatchAsync(batcher, division, [1, 4, 5]);
        Assert.Equal(new[] { 3 }, division.Builds);
        var quotients = await Task.WhenAll(first);
        Assert.Equal([100, 25, 20], quotients);

        // One write's zero fails the shared statement: the write beside it commits, then the shared statement's writes run
        // alone, and only the one with the zero fails.
        division.Builds.Clear();
        var next = await DivideMergedInOneBatchAsync(batcher, division, [2, 0, 10], plainDivisor: 4);
        Assert.Equal(new[] { 3, 1, 1, 1 }, division.Builds);
        Assert.Equal(50, await next[0]);
        Assert.Equal(PostgresErrorCodes.DivisionByZero, (await Assert.ThrowsAsync<PostgresException>(() => next[1])).SqlState);
        Assert.Equal(10, await next[2]);
        Assert.Equal(25, await next[3]);
    }

    [Fact]
    public async Task NewTasksOfOneBurstEachGetTheirOwnEventAndDeliveryAndATaskWrittenTwiceAtOnceIsWrittenOnce()
    {
        var subscription = new WebhookSubscriptionRecord { Id = "sub-n", Url = "http://n.test/", Key = OutgoingEventTypes.TaskCreated, ClientAppId = "app-n" };
        await _stores.Store.TryAddClientAppAsync(new ClientAppRow(new ClientAppRecord { Id = "app-n", Name = "new tasks", ApiKey = "key-n", CreatedOn = DateTimeOffset.UtcNow }, "secret"));
        await _stores.Store.SaveSubscriptionAsync(subscription);
        var now = DateTimeOffset.UtcNow;

        // Every tenth task is written twice in the burst, by writes that come one after the other.
        var writes = new List<(int Task, Task<TaskCreation> Creation)>();
        for (var i = 0; i < Writers; i++)
        {
            for (var copy = 0; copy < (i % 10 == 0 ? 2 : 1); copy++)
            {
                var outgoing = Outgoing($"task-created-{i}");
                var task = NewTask(i, now).Task;
                writes.Add((i, _stores.Store.TryCreateTaskAsync(
                    task,
                    new TaskHistoryEntry { Id = $"history-{i}", TaskId = task.Id, Action = "created", By = "workflow", On = now },
                    [outgoing],
                    TimeSpan.FromMinutes(1),
                    [QueuedDelivery.First(subscription, outgoing, now)],
                    dispatched: true)));
            }
        }

        await Task.WhenAll(writes.Select(w => w.Creation));
        foreach (var group in writes.GroupBy(w => w.Task))
        {
            var created = group.Select(w => w.Creation.Result).Where(c => c.Created).ToArray();
            var entry = Assert.Single(Assert.Single(created).Claimed);
            Assert.Equal($"task-created-{group.Key}", entry.Event.Id);
            Assert.True(entry.Dispatched);
            var delivery = Assert.Single(entry.Deliveries ?? []);
            Assert.Equal(entry.Event.Id, delivery.Event.Id);
            Assert.All(group.Select(w => w.Creation.Result).Where(c => !c.Created), c => Assert.Empty(c.Claimed));
        }

        var entries = writes.Select(w => w.Creation.Result).Where(c => c.Created).Select(c => c.Claimed[0]).ToArray();
        Assert.Equal(Writers, entries.Select(e => e.Sequence).Distinct().Count());
        Assert.Equal(Writers, entries.Select(e => e.Deliveries![0].Sequence).Distinct().Count());
        Assert.Equal(Writers, await CountAsync("main.tasks"));
        Assert.Equal(Writers, await CountAsync("main.task_history"));
        Assert.Equal(Writers, await CountAsync("main.outbox"));
        Assert.Equal(Writers, await CountAsync("main.webhook_deliveries"));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM main.webhook_deliveries d JOIN main.outbox o ON o.event_id = d.event_id WHERE d.event::jsonb <> o.body"));
        Assert.True(await TransactionsAsync() < Writers / 2, "the burst's tasks shared commits");
    }

    [Fact]
    public async Task EventsRecordedInOneBurstEachGetTheirOwnAnswerAndAnEventRecordedTwiceAtOnceIsRecordedOnce()
    {
        // Events 0-9 were recorded and routed before, 10-19 recorded and not routed; the rest are new, every tenth of them
        // recorded twice at once.
        for (var i = 0; i < 20; i++)
        {
            Assert.Equal(EventRecording.New, await _stores.Store.RecordEventAsync(Event(i)));
        }

        await _stores.Store.MarkEventsRoutedAsync([.. Enumerable.Range(0, 10).Select(i => $"event-{i}")]);
        var writes = new List<(int Event, Task<EventRecording> Recorded)>();
        for (var i = 0; i < Writers; i++)
        {
            for (var copy = 0; copy < (i >= 20 && i % 10 == 0 ? 2 : 1); copy++)
            {
                writes.Add((i, _stores.Store.RecordEventAsync(Event(i))));
            }
        }

        await Task.WhenAll(writes.Select(w => w.Recorded));

        foreach (var recordings in writes.GroupBy(w => w.Event, w => w.Recorded.Result))
        {
            var expected = recordings.Key < 10 ? [EventRecording.Routed]
                : recordings.Key < 20 ? [EventRecording.Unrouted]
                : recordings.Key % 10 == 0 ? new[] { EventRecording.New, EventRecording.Unrouted } : [EventRecording.New];
            Assert.Equal(expected, recordings.Order());
        }

        Assert.Equal(Writers, await CountAsync("main.events"));
        Assert.Equal(Writers - 10L, await CountAsync("main.unrouted_events"));
        await using var check = _stores.DataSource.CreateCommand(
            "SELECT count(*) FROM main.events e JOIN main.unrouted_events u ON u.id = e.id " +
            "WHERE (e.payload ->> 'i')::bigint + 1767323045123 = e.\"timestamp\" AND u.\"timestamp\" = e.\"timestamp\" AND e.\"key\" = 'group'");
        Assert.Equal(Writers - 10L, (long)(await check.ExecuteScalarAsync())!);
    }

    [Fact]
    public async Task AnIdRecordedAgainWithOtherContentIsAConflictAndTheRecordedEventIsKept()
    {
        // Recorded first, then every tenth id again with another key (a sender reusing an id), all at once: each a conflict.
        Assert.All(await Task.WhenAll(Enumerable.Range(0, Writers).Select(i => _stores.Store.RecordEventAsync(Event(i)))),
            r => Assert.Equal(EventRecording.New, r));
        var again = await Task.WhenAll(Enumerable.Range(0, Writers).Where(i => i % 10 == 0)
            .Select(i => _stores.Store.RecordEventAsync(Event(i) with { Key = "another" })));

        Assert.All(again, r => Assert.Equal(EventRecording.Conflict, r));
        Assert.Equal(0L, await ScalarAsync("SELECT count(*) FROM main.events WHERE \"key\" = 'another'"));

        // Both at once: one is recorded. The other is a conflict when it sees the recorded row or shares its batch, and is
        // answered as a duplicate not yet routed when its batch ran beside the other's, before that one committed (the
        // statement sees the table as it was when it began); either way it is not recorded.
        var writes = new List<(bool Copy, Task<EventRecording> Recorded)>();
        for (var i = Writers; i < 2 * Writers; i += 10)
        {
            writes.Add((false, _stores.Store.RecordEventAsync(Event(i))));
            writes.Add((true, _stores.Store.RecordEventAsync(Event(i) with { Key = "another" })));
        }

        await Task.WhenAll(writes.Select(w => w.Recorded));
        var recordedCopies = 0L;
        foreach (var pair in writes.Chunk(2))
        {
            var answers = pair.Select(w => w.Recorded.Result).Order().ToArray();
            Assert.Equal(EventRecording.New, answers[0]);
            Assert.Contains(answers[1], new[] { EventRecording.Conflict, EventRecording.Unrouted });
            recordedCopies += pair.Count(w => w.Copy && w.Recorded.Result == EventRecording.New);
        }

        Assert.Equal(recordedCopies, await ScalarAsync("SELECT count(*) FROM main.events WHERE \"key\" = 'another'"));
        Assert.Equal(Writers + (Writers / 10L), await CountAsync("main.events"));
    }

    [Fact]
    public async Task WritesOfOneIdInOneBatchRecordTheFirstAndAnswerACopyUnroutedAndOtherContentAConflict()
    {
        await ExecuteAsync("CREATE TABLE main.ingress_gate (n int)");

        // A store on a clock that stands still: its running batch never turns slow, however long it waits (the time a batch
        // may run before writes go beside it is on the store's clock).
        var store = new PostgresTaskServiceStore(_stores.DataSource, new FakeTimeProvider(DateTimeOffset.UtcNow), _stores.GroupCommitSource);
        var batcher = store.Batcher;

        // The store's running batch waits on a lock, so the writes below queue for the next batch, which takes them all.
        await using var gate = await BlockABatchAsync(batcher, "main.ingress_gate");
        var record = Event(5000);
        var writes = new[]
        {
            store.RecordEventAsync(record),
            store.RecordEventAsync(record with { Key = "another" }),
            store.RecordEventAsync(record),
            store.RecordEventAsync(record with { Description = "another description" }),
        };
        Assert.Equal(writes.Length, batcher.QueuedWrites);
        Assert.DoesNotContain(writes, w => w.IsCompleted);

        await gate.ReleaseAsync();
        await gate.Blocked;

        Assert.Equal([EventRecording.New, EventRecording.Conflict, EventRecording.Unrouted, EventRecording.Conflict], await Task.WhenAll(writes));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM main.events WHERE id = '{record.Id}'"));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM main.events WHERE id = '{record.Id}' AND \"key\" = 'group' AND description IS NULL"));
        Assert.Equal(1L, await ScalarAsync($"SELECT count(*) FROM main.unrouted_events WHERE id = '{record.Id}'"));
    }

    [Fact]
    public async Task NewInstancesOfOneBurstEachGetTheirOwnAnswerAndAnInstanceWrittenTwiceAtOnceIsWrittenOnce()
    {
        var now = DateTimeOffset.UtcNow;
        var writes = new List<(int Instance, Task<bool> Created)>();
        for (var i = 0; i < Writers; i++)
        {
            for (var copy = 0; copy < (i % 10 == 0 ? 2 : 1); copy++)
            {
                writes.Add((i, _stores.Store.TryCreateWorkflowInstanceAsync(Instance(i, now), $$"""{"copy":{{copy}}}""", now.AddMinutes(i))));
            }
        }

        await Task.WhenAll(writes.Select(w => w.Created));

        // The two copies of an instance may go into two batches that run at once, so either may be the one written: exactly one
        // is, and the row holds its state.
        var written = writes.GroupBy(w => w.Instance).Select(group => Assert.Single(group.Select((w, copy) => (w.Instance, Copy: copy, Created: w.Created.Result)), c => c.Created)).ToList();
        Assert.Equal(Writers, written.Count);
        Assert.Equal(Writers, await CountAsync("main.workflow_instances"));
        await using var check = _stores.DataSource.CreateCommand(
            "SELECT count(*) FROM main.workflow_instances i JOIN unnest($1::text[], $2::int[]) AS w (id, copy) ON w.id = i.id " +
            "WHERE (i.state ->> 'copy')::int = w.copy AND i.due_on IS NOT NULL AND i.\"version\" = 1");
        check.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = [.. written.Select(w => $"instance-{w.Instance}")] });
        check.Parameters.Add(new NpgsqlParameter<int[]> { TypedValue = [.. written.Select(w => w.Copy)] });
        Assert.Equal((long)Writers, (long)(await check.ExecuteScalarAsync())!);
        Assert.Equal(now.AddMinutes(7).ToUnixTimeMilliseconds(), (await _stores.Store.GetDueWorkflowInstancesAsync(now.AddMinutes(7.5), Writers)).Max(d => d.DueOn).ToUnixTimeMilliseconds());
    }

    /// <summary>
    /// Divides 100 by each of <paramref name="divisors"/> through <paramref name="division"/>, a write each, queued while a batch
    /// waits on a lock this test holds, so that the next batch takes them all; returns the writes once they are done.
    /// </summary>
    /// <param name="plainDivisor">A divisor for a write of a statement of its own, queued after the others (and last of those returned).</param>
    private async Task<Task<int>[]> DivideMergedInOneBatchAsync(PostgresCommandBatcher batcher, MergedDivision division, int[] divisors, int? plainDivisor = null)
    {
        await ExecuteAsync("CREATE TABLE IF NOT EXISTS main.division_gate (n int)");
        await using var gate = await BlockABatchAsync(batcher, "main.division_gate");
        var divisions = divisors.Select(d => batcher.RunMergedAsync(
            "division", division, d, static reader => reader.GetInt32(1), static rows => (int)Assert.Single(rows)!)).ToList();
        if (plainDivisor is { } plain)
        {
            divisions.Add(batcher.RunAsync(
                "division",
                [new NpgsqlBatchCommand("SELECT 100 / $1") { Parameters = { new NpgsqlParameter<int> { TypedValue = plain } } }],
                1,
                static (reader, _) => reader.GetInt32(0),
                static sets => (int)Assert.Single(sets[0])!));
        }

        Assert.Equal(divisions.Count, batcher.QueuedWrites);

        await gate.ReleaseAsync();
        await gate.Blocked;
        await Task.WhenAll(divisions.Select(d => d.ContinueWith(static _ => { }, TaskScheduler.Default)));
        return [.. divisions];
    }

    /// <summary>100 divided by each write's divisor, in one statement; notes how many writes each statement it built held.</summary>
    private sealed class MergedDivision : IMergedStatement
    {
        public List<int> Builds { get; } = [];

        public NpgsqlBatchCommand Build(IReadOnlyList<object?> values)
        {
            Builds.Add(values.Count);
            return new NpgsqlBatchCommand("SELECT (d.n - 1)::int, 100 / d.v FROM unnest($1::int[]) WITH ORDINALITY AS d (v, n)")
            {
                Parameters = { new NpgsqlParameter<int[]> { TypedValue = values.Select(v => (int)v!).ToArray() } },
            };
        }
    }

    /// <summary>
    /// Divides 100 by each of <paramref name="divisors"/>, a write each, queued while a batch of <paramref name="batcher"/> waits
    /// on a lock this test holds, so that the next batch takes them all; returns the writes once they are done.
    /// </summary>
    private async Task<Task<int>[]> DivideInOneBatchAsync(PostgresCommandBatcher batcher, int[] divisors)
    {
        Assert.True(divisors.Length < batcher.WritesToStartAnotherBatch);
        await ExecuteAsync("CREATE TABLE IF NOT EXISTS main.division_gate (n int)");
        await using var gate = await BlockABatchAsync(batcher, "main.division_gate");
        var divisions = divisors.Select(d => batcher.RunAsync(
            "division",
            [new NpgsqlBatchCommand("SELECT 100 / $1") { Parameters = { new NpgsqlParameter<int> { TypedValue = d } } }],
            1,
            static (reader, _) => reader.GetInt32(0),
            static sets => (int)Assert.Single(sets[0])!)).ToArray();
        Assert.Equal(divisors.Length, batcher.QueuedWrites);

        await gate.ReleaseAsync();
        await gate.Blocked;
        await Task.WhenAll(divisions.Select(d => d.ContinueWith(static _ => { }, TaskScheduler.Default)));
        return divisions;
    }

    /// <summary>
    /// Locks <paramref name="table"/> in a transaction of another connection and has <paramref name="batcher"/> run a write
    /// into it, which waits on the lock until the gate returned is released (or disposed).
    /// </summary>
    private async Task<BatchGate> BlockABatchAsync(PostgresCommandBatcher batcher, string table)
    {
        var connection = await _stores.DataSource.OpenConnectionAsync();
        try
        {
            var hold = await connection.BeginTransactionAsync();
            await using (var lockTable = new NpgsqlCommand($"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE", connection, hold))
            {
                await lockTable.ExecuteNonQueryAsync();
            }

            var gate = new BatchGate(connection, batcher.WriteAsync("probe", [new NpgsqlBatchCommand($"INSERT INTO {table} VALUES (0)")]));
            await Eventually.ReturnsAsync(
                () => ScalarAsync($"SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query LIKE 'INSERT INTO {table}%'"),
                waiting => waiting == 1, because: "the first batch waits on the lock");
            return gate;
        }
        catch
        {
            // The lock goes with the connection, so a failed set-up leaves no batch of later tests waiting on it.
            await connection.DisposeAsync();
            throw;
        }
    }

    /// <summary>A lock held by a connection of its own, and the write of a batch that waits on it.</summary>
    private sealed class BatchGate(NpgsqlConnection connection, Task blocked) : IAsyncDisposable
    {
        public Task Blocked { get; } = blocked;

        /// <summary>Ends the transaction that holds the lock: the blocked batch goes on.</summary>
        public ValueTask ReleaseAsync() => connection.DisposeAsync();

        public ValueTask DisposeAsync() => connection.DisposeAsync();
    }

    [Fact]
    public async Task ATaskSavedWithAClaimHandsBackItsOutgoingEventAlreadyClaimed()
    {
        var now = DateTimeOffset.UtcNow;

        var claimed = await _stores.Store.SaveTaskAsync(NewTask(1, now), [Outgoing("claimed-with-task")], claimFor: TimeSpan.FromMinutes(1));
        var unclaimed = await _stores.Store.SaveTaskAsync(NewTask(2, now), [Outgoing("left-for-the-dispatcher")]);
        var again = await _stores.Store.SaveTaskAsync(NewTask(1, now), [Outgoing("claimed-with-task")], claimFor: TimeSpan.FromMinutes(1));

        Assert.Equal("claimed-with-task", Assert.Single(claimed).Event.Id);
        Assert.Empty(unclaimed);
        Assert.Empty(again);
        Assert.Equal(["left-for-the-dispatcher"], (await _stores.Store.ClaimOutboxAsync(10, TimeSpan.FromMinutes(1))).Select(e => e.Event.Id));
    }

    private static EventRecord Event(int i) =>
        new() { Id = $"event-{i}", Key = "group", Payload = JsonElementFactory.Parse($$"""{"i":{{i}}}"""), Timestamp = 1767323045123 + i };

    private static OutgoingEvent Outgoing(string id) =>
        new() { Id = id, Key = OutgoingEventTypes.TaskCreated, Payload = JsonElementFactory.Parse($$"""{"taskId":"{{id}}"}"""), Timestamp = 1 };

    private static TaskAggregate NewTask(int i, DateTimeOffset now) =>
        new(new TaskRecord { Id = $"task-{i}", Key = "group", Name = $"task {i}", Status = TaskRecordStatus.Pending, CreatedOn = now, ModifiedOn = now }, []);

    private static WorkflowInstanceSummary Instance(int i, DateTimeOffset now) =>
        new() { Id = $"instance-{i}", WorkflowId = "wf", ProcessId = "p", Version = 1, Status = WorkflowInstanceStatus.Active, CreatedOn = now, ModifiedOn = now };

    /// <summary>How many transactions wrote the rows of the tables the writes fill (each row keeps its writer's id, xmin).</summary>
    private async Task<long> TransactionsAsync()
    {
        await using var command = _stores.DataSource.CreateCommand(
            """
            SELECT count(DISTINCT x) FROM (
                SELECT xmin::text AS x FROM main.tasks UNION ALL SELECT xmin::text FROM main.workflow_instances
                UNION ALL SELECT xmin::text FROM main.outbox UNION ALL SELECT xmin::text FROM main.webhook_deliveries) AS written
            """);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task ExecuteAsync(string sql)
    {
        await using var command = _stores.DataSource.CreateCommand(sql);
        await command.ExecuteNonQueryAsync();
    }

    private async Task<long> ScalarAsync(string sql)
    {
        await using var command = _stores.DataSource.CreateCommand(sql);
        return (long)(await command.ExecuteScalarAsync())!;
    }

    private async Task<long> CountAsync(string table)
    {
        await using var command = _stores.DataSource.CreateCommand($"SELECT count(*) FROM {table}");
        return (long)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>The writes per batch that <see cref="GroupCommitInstruments.BatchWrites"/> records for one lane, in order.</summary>
    private sealed class BatchWritesListener : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly List<int> _writes = [];

        public BatchWritesListener(string lane)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                // By name: the instrument is published while its class initializes, before the field holds it.
                if (instrument.Meter.Name == GroupCommitInstruments.MeterName && instrument.Name == GroupCommitInstruments.BatchWritesName)
                {
                    listener.EnableMeasurementEvents(instrument);
                }
            };
            _listener.SetMeasurementEventCallback<int>((_, writes, tags, _) =>
            {
                foreach (var tag in tags)
                {
                    if (tag.Key == GroupCommitInstruments.LaneTag && Equals(tag.Value, lane))
                    {
                        lock (_writes)
                        {
                            _writes.Add(writes);
                        }
                    }
                }
            });
            _listener.Start();
        }

        public int[] Writes
        {
            get
            {
                lock (_writes)
                {
                    return [.. _writes];
                }
            }
        }

        public void Dispose() => _listener.Dispose();
    }
}
