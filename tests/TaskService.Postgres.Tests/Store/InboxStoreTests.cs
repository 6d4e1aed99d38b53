using System.Text.Json;
using Npgsql;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Tasks;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// The inbox query (assignee, candidate groups with <c>contains</c>, due date) and the task history on PostgreSQL: the same
/// rows as the in-memory store, and history that commits with its change or not at all.
/// </summary>
public sealed class InboxStoreTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>, IAsyncLifetime
{
    private static readonly DateTimeOffset Created = DateTimeOffset.Parse("2026-01-02T03:04:05.123456Z", System.Globalization.CultureInfo.InvariantCulture);

    private readonly StoreUnderTest _stores = StoreUnderTest.Over(database);

    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [Fact]
    public async Task HistoryCommitsWithItsChangeAndAFailedSaveLeavesNoEntry()
    {
        var task = NewTask(NewId("task"));
        var created = new HistoryBuilder(task.Id, "workflow", Created).Add(TaskHistoryActions.Created, null, null).Entries;
        await SaveBothAsync(new TaskAggregate(task, []), created);

        var renamed = task with { Name = "renamed" };
        var history = new HistoryBuilder(task.Id, "ann", Created.AddSeconds(1)).Add(TaskHistoryActions.Updated, null, TaskChanges.Between(task, renamed)).Entries;
        // The user task names a task that does not exist: the foreign key fails the whole transaction, history included.
        UserTaskRecord[] broken = [NewUserTask(NewId("missing"), "orphan")];
        await Assert.ThrowsAsync<PostgresException>(() => _stores.Store.SaveTaskAsync(new TaskAggregate(renamed, broken), [], history));

        Assert.Equal(0L, await StoreTables.ScalarAsync<long>(_stores.DataSource, "SELECT count(*) FROM main.task_history WHERE id = $1", history[0].Id));
        Assert.Equal("Review", (await _stores.Store.LoadTaskAsync(task.Id))!.Task.Name);

        await SaveBothAsync(new TaskAggregate(renamed, []), history);
        var ofTask = new QueryFilter { Where = FilterParser.ParseWhere($$"""{"taskId":"{{task.Id}}"}""", EntitySchemas.TaskHistory).OrThrow() };
        var rows = await _stores.Store.ListAsync(EntityKind.TaskHistory, ofTask);
        var expected = await _stores.Reference.ListAsync(EntityKind.TaskHistory, ofTask);
        Assert.Equal(["created", "updated"], rows.Select(r => r.GetProperty("action").GetString()));
        Assert.Equal(expected.Count, rows.Count);
        Assert.All(rows.Zip(expected), pair => Assert.True(JsonElement.DeepEquals(pair.First, pair.Second), $"{pair.First} != {pair.Second}"));
        Assert.Equal("renamed", rows[1].GetProperty("changes")[0].GetProperty("to").GetString());
    }

    [Fact]
    public async Task TheInboxQueryFindsWhatTheInMemoryStoreFinds()
    {
        var task = NewTask(NewId("task"));
        var sales = NewId("sales");
        var form = new UserTaskForm { Fields = [new FormField { Id = "amount", Type = "long", Required = true, Max = 10 }] };
        UserTaskRecord[] userTasks =
        [
            NewUserTask(task.Id, "own") with { Assignee = "alice", Form = form },
            NewUserTask(task.Id, "offered") with { CandidateGroups = [sales, "b"], DueDate = Created.AddDays(3) },
            NewUserTask(task.Id, "held") with { Assignee = "bob", CandidateGroups = [sales] },
            NewUserTask(task.Id, "elsewhere") with { CandidateGroups = ["hr"] },
            NewUserTask(task.Id, "nobody"),
        ];
        await SaveBothAsync(new TaskAggregate(task, userTasks), []);

        FilterNode ofTask = new ConditionNode(["taskId"], FilterOperator.Eq, JsonElementFactory.From(task.Id));
        FilterNode mine = new OrNode(
        [
            new ConditionNode(["assignee"], FilterOperator.Eq, JsonElementFactory.From("alice")),
            new AndNode(
            [
                new ConditionNode(["assignee"], FilterOperator.Eq, JsonElementFactory.Null),
                new OrNode([new ConditionNode(["candidateGroups"], FilterOperator.Contains, JsonSerializer.SerializeToElement(new[] { sales }))]),
            ]),
        ]);

        Assert.Equal(["own", "offered"], await NamesAsync(new AndNode([ofTask, mine])));
        Assert.Equal(["offered", "held"], await NamesAsync(new AndNode([ofTask, FilterParser.ParseWhere($$$"""{"candidateGroups":{"contains":"{{{sales}}}"}}""", EntitySchemas.UserTask).OrThrow()!])));
        Assert.Equal(["offered"], await NamesAsync(new AndNode([ofTask, FilterParser.ParseWhere($$$"""{"candidateGroups":{"contains":["{{{sales}}}","b"]},"dueDate":{"gt":"2026-01-01T00:00:00Z"}}""", EntitySchemas.UserTask).OrThrow()!])));
        Assert.Equal(2L, await _stores.Store.CountAsync(EntityKind.UserTask, new AndNode([ofTask, mine])));
        Assert.Equal(
            JsonSerializer.Serialize(form, ContractJson.Options),
            JsonSerializer.Serialize((await _stores.Store.LoadTaskAsync(task.Id))!.UserTasks.Single(u => u.Name == "own").Form, ContractJson.Options));
    }

    private async Task<string[]> NamesAsync(FilterNode where)
    {
        var filter = new QueryFilter { Where = where };
        var names = (await _stores.Store.ListAsync(EntityKind.UserTask, filter)).Select(r => r.GetProperty("name").GetString()!).ToArray();
        Assert.Equal((await _stores.Reference.ListAsync(EntityKind.UserTask, filter)).Select(r => r.GetProperty("name").GetString()!), names);
        return names;
    }

    private async Task SaveBothAsync(TaskAggregate aggregate, IReadOnlyList<TaskHistoryEntry> history)
    {
        await _stores.Store.SaveTaskAsync(aggregate, [], history);
        await _stores.Reference.SaveTaskAsync(aggregate, [], history);
    }

    private static string NewId(string prefix) => $"{prefix}-{Guid.NewGuid():N}";

    private static TaskRecord NewTask(string id) => new()
    {
        Id = id,
        Key = "review",
        Name = "Review",
        Status = TaskRecordStatus.Pending,
        CreatedOn = Created,
        ModifiedOn = Created,
    };

    private static int _order;

    private static UserTaskRecord NewUserTask(string taskId, string name) => new()
    {
        Id = NewId("ut"),
        TaskId = taskId,
        Name = name,
        Status = UserTaskStatus.Pending,
        ExternalId = NewId("ext"),
        CreatedOn = Created.AddMilliseconds(Interlocked.Increment(ref _order)),
        ModifiedOn = Created,
    };
}
