using System.Text.Json;
using TaskService.Testing.Queries;
using TaskService.Queries;
using TaskService.Serialization;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// The shared filter cases against the PostgreSQL store: the expected ids in order, and the very JSON text and counts the
/// in-memory store gives for the same rows. Further cases probe the corners where SQL and the evaluator could part.
/// </summary>
public sealed class FilterCaseTests(FilterCaseStores stores) : IClassFixture<FilterCaseStores>
{
    private static readonly EntitySchema TaskSchema = EntitySchemas.Task;

    /// <summary>Filters beyond the shared cases, on the same dataset; the in-memory store says what each must return.</summary>
    public static TheoryData<string> EdgeFilters() => new(EdgeFilterJson);

    private static readonly string[] EdgeFilterJson =
    [
        // JSON: arrays are not traversed by a path, objects and arrays equal no scalar and have no order, types never mix
        """{"where":{"metadata.tags.0":"a"}}""",
        """{"where":{"metadata.tags.0":null}}""",
        """{"where":{"metadata.tags.-1":{"neq":null}}}""",
        """{"where":{"metadata.tags":{"neq":"a"}}}""",
        """{"where":{"metadata.tags":{"nin":["a"]}}}""",
        """{"where":{"metadata.customer":{"gt":"a"}}}""",
        """{"where":{"metadata.score":{"gte":"10"}}}""",
        """{"where":{"metadata.score":{"inq":[10.0,3.50]}}}""",
        """{"where":{"metadata.score":{"between":[3.5,7]}}}""",
        """{"where":{"metadata.score":{"lt":1e300}}}""",
        """{"where":{"metadata.urgent":{"inq":[false]}}}""",
        """{"where":{"metadata.customer.id":{"ilike":"C-%"}}}""",
        """{"where":{"metadata.customer.tier":{"between":["a","h"]}}}""",
        """{"where":{"metadata.note":{"neq":null}}}""",
        // Instants finer than a microsecond, which timestamptz cannot hold
        """{"where":{"dueDate":"2024-02-15T10:00:00.0000001Z"}}""",
        """{"where":{"dueDate":{"neq":"2024-02-15T10:00:00.0000001Z"}}}""",
        """{"where":{"dueDate":{"gt":"2024-02-15T09:59:59.9999999Z"}}}""",
        """{"where":{"dueDate":{"gte":"2024-02-15T10:00:00.0000001Z"}}}""",
        """{"where":{"dueDate":{"lt":"2024-02-15T10:00:00.0000001Z"}}}""",
        """{"where":{"dueDate":{"lte":"2024-02-15T09:59:59.9999999Z"}}}""",
        """{"where":{"dueDate":{"inq":["2024-02-15T10:00:00.0000001Z","2024-04-01T00:00:00Z"]}}}""",
        """{"where":{"dueDate":{"between":["2024-02-01T00:00:00.0000001Z","2024-03-01T09:00:00.0000001Z"]}}}""",
        // Strings with U+0000, which PostgreSQL text cannot hold
        """{"where":{"name":"Zeta\u0000"}}""",
        """{"where":{"name":{"neq":"Zeta\u0000"}}}""",
        """{"where":{"name":{"gt":"Zeta\u0000"}}}""",
        """{"where":{"name":{"gte":"Zeta\u0000x"}}}""",
        """{"where":{"name":{"lt":"Zeta\u0000"}}}""",
        """{"where":{"name":{"lte":"R\u0000"}}}""",
        """{"where":{"name":{"inq":["Zeta\u0000","Zeta"]}}}""",
        """{"where":{"name":{"nin":["Zeta\u0000"]}}}""",
        """{"where":{"name":{"like":"%\u0000%"}}}""",
        """{"where":{"metadata.customer.id":"c-1\u0000"}}""",
        """{"where":{"metadata.customer.id":{"lte":"c-1\u0000"}}}""",
        // Case folding beyond ASCII, patterns, code point order
        """{"where":{"name":{"ilike":"ＦULLWIDTH%"}}}""",
        """{"where":{"name":{"ilike":"ÉTÉ%"}}}""",
        """{"where":{"name":{"ilike":"%タスク"}}}""",
        """{"where":{"name":{"like":"%\\\\%"}}}""",
        """{"where":{"description":{"like":"C:\\\\%"}}}""",
        """{"where":{"key":{"like":"_e%"}}}""",
        """{"where":{"name":{"gt":"😀"}}}""",
        """{"where":{"name":{"lt":"😀"}}}""",
        """{"where":{"name":{"between":["Ｆ","😀"]}}}""",
        // Nulls, empty lists and paging
        """{"where":{"description":null}}""",
        """{"where":{"description":{"neq":null}}}""",
        """{"where":{"assigneeId":{"nin":["bob"]}}}""",
        """{"where":{"or":[{"priority":{"inq":[]}},{"assigneeId":"dave"}]}}""",
        """{"where":{"and":[{"priority":{"nin":[]}},{"status":{"neq":"pending"}}]}}""",
        """{"order":"priority DESC","skip":3,"limit":4}""",
        """{"order":["endDate ASC","name DESC"],"limit":5}""",
        """{"order":"modifiedOn DESC","skip":11}""",
        """{"where":{"status":"pending"},"fields":["id","name","metadata"],"order":"name DESC"}""",
    ];

    public static TheoryData<string> Projections() => new(
        """{"fields":["id","dueDate","metadata"]}""",
        """{"fields":{"priority":false,"metadata":false}}""",
        """{"fields":{"createdOn":true,"name":true}}""",
        """{"fields":["metadata"],"where":{"metadata":{"neq":null}}}""",
        """{"fields":["startDate","endDate"]}""");

    [Theory]
    [MemberData(nameof(FilterCases.CaseNames), MemberType = typeof(FilterCases))]
    public async Task SharedCaseReturnsTheExpectedIdsInOrder(string name)
    {
        var testCase = FilterCases.Get(name);
        var filter = FilterParser.ParseFilter(testCase.FilterJson, TaskSchema).OrThrow();

        var rows = await stores.Postgres.ListAsync(EntityKind.Task, filter);

        Assert.Equal(testCase.ExpectedIds, rows.Select(Id).ToArray());
    }

    [Theory]
    [MemberData(nameof(FilterCases.CaseNames), MemberType = typeof(FilterCases))]
    public async Task SharedCaseGivesTheInMemoryStoresJsonAndCount(string name)
    {
        var filter = FilterParser.ParseFilter(FilterCases.Get(name).FilterJson, TaskSchema).OrThrow();

        await AssertSameAnswersAsync(filter);
    }

    [Theory]
    [MemberData(nameof(FilterCases.BracketCaseNames), MemberType = typeof(FilterCases))]
    public async Task SharedCaseInTheBracketFormReturnsTheExpectedIdsAndTheInMemoryStoresJson(string name)
    {
        var testCase = FilterCases.Get(name);
        var json = QueryStringFilter.Build(FilterCases.BracketForm(testCase.FilterJson, "filter"), "filter", TaskSchema, isWhere: false).OrThrow();
        var filter = json is { } bracket ? FilterParser.ParseFilter(bracket, TaskSchema).OrThrow() : QueryFilter.Empty;

        var rows = await stores.Postgres.ListAsync(EntityKind.Task, filter);

        Assert.Equal(testCase.ExpectedIds, rows.Select(Id).ToArray());
        await AssertSameAnswersAsync(filter);
    }

    [Theory]
    [MemberData(nameof(IncludeCases.CaseNames), MemberType = typeof(IncludeCases))]
    public async Task IncludeCaseGivesTheExpectedRowsAndTheInMemoryStoresJson(string name)
    {
        var testCase = IncludeCases.Get(name);
        var filter = FilterParser.ParseFilter(testCase.FilterJson, EntitySchemas.For(testCase.Kind)).OrThrow();

        var expected = await new IncludeResolver(stores.InMemory).ListAsync(testCase.Kind, filter);
        var actual = await new IncludeResolver(stores.Postgres).ListAsync(testCase.Kind, filter);

        Assert.Equal(testCase.Expected, IncludeCases.Describe(actual, IncludeCases.RelationOf(testCase.Kind)));
        Assert.Equal(expected.Select(r => r.GetRawText()).ToArray(), actual.Select(r => r.GetRawText()).ToArray());
    }

    [Theory]
    [MemberData(nameof(EdgeFilters))]
    public async Task EdgeFilterGivesTheInMemoryStoresAnswer(string filterJson)
    {
        await AssertSameAnswersAsync(FilterParser.ParseFilter(filterJson, TaskSchema).OrThrow());
    }

    [Theory]
    [MemberData(nameof(Projections))]
    public async Task ProjectionKeepsOnlyTheRequestedFieldsInTheInMemoryStoresShape(string filterJson)
    {
        var filter = FilterParser.ParseFilter(filterJson, TaskSchema).OrThrow();

        await AssertSameAnswersAsync(filter);
        var rows = await stores.Postgres.ListAsync(EntityKind.Task, filter);
        Assert.All(rows, row => Assert.All(row.EnumerateObject(), p => Assert.Contains(p.Name, filter.Fields!)));
    }

    [Fact]
    public async Task EdgeFiltersAreNotAllEmpty()
    {
        // Guards the comparison above against two stores that agree only because both return nothing.
        var nonEmpty = 0;
        foreach (var filterJson in EdgeFilterJson)
        {
            nonEmpty += (await stores.Postgres.ListAsync(EntityKind.Task, FilterParser.ParseFilter(filterJson, TaskSchema).OrThrow())).Count > 0 ? 1 : 0;
        }

        Assert.True(nonEmpty >= 30, $"only {nonEmpty} edge filters return rows");
    }

    [Fact]
    public async Task DatesComeBackInTheFormatSystemTextJsonWritesForUtc()
    {
        var t02 = await stores.Postgres.GetAsync(EntityKind.Task, "t02", ["dueDate", "createdOn"]);

        Assert.Equal(["dueDate", "createdOn"], t02!.Value.EnumerateObject().Select(p => p.Name));
        Assert.Equal("2024-02-15T10:00:00+00:00", t02.Value.GetProperty("dueDate").GetString());
        Assert.Equal("2024-01-02T08:00:00+00:00", t02.Value.GetProperty("createdOn").GetString());
    }

    [Fact]
    public async Task GetByIdGivesTheInMemoryStoresJsonWithAndWithoutFields()
    {
        foreach (var task in FilterCases.Tasks)
        {
            IReadOnlyList<string>?[] projections = [null, ["id"], ["metadata", "dueDate", "name"], ["notes"]];
            foreach (var fields in projections)
            {
                var expected = await stores.InMemory.GetAsync(EntityKind.Task, task.Id, fields);
                var actual = await stores.Postgres.GetAsync(EntityKind.Task, task.Id, fields);

                Assert.Equal(expected!.Value.GetRawText(), actual!.Value.GetRawText());
            }
        }

        Assert.Null(await stores.Postgres.GetAsync(EntityKind.Task, "missing", null));
    }

    [Fact]
    public async Task FindIdsGivesTheInMemoryStoresIdsInDefaultOrder()
    {
        var where = FilterParser.ParseWhere("""{"status":{"neq":"completed"}}""", TaskSchema).OrThrow();

        foreach (var limit in new[] { 0, 1, 5, 100 })
        {
            Assert.Equal(
                await stores.InMemory.FindIdsAsync(EntityKind.Task, where, limit),
                await stores.Postgres.FindIdsAsync(EntityKind.Task, where, limit));
        }

        Assert.Equal(["t01", "t02"], await stores.Postgres.FindIdsAsync(EntityKind.Task, where, 2));
    }

    [Fact]
    public async Task HandBuiltNodesTheParserNeverMakesBehaveAsInTheEvaluator()
    {
        FilterNode[] nodes =
        [
            new AndNode([]),
            new OrNode([]),
            new OrNode([new AndNode([]), new OrNode([])]),
            new ConditionNode(["dueDate"], FilterOperator.Eq, Json("\"2024-02-15T12:00:00+02:00\"")),
            new ConditionNode(["name", "first"], FilterOperator.Eq, Json("null")),
            new ConditionNode(["name", "first"], FilterOperator.Neq, Json("null")),
            new ConditionNode(["name", "first"], FilterOperator.Eq, Json("\"Zeta\"")),
            new ConditionNode(["metadata"], FilterOperator.Neq, Json("\"x\"")),
            new ConditionNode(["dueDate"], FilterOperator.Like, Json("\"2024%\"")),
            new ConditionNode(["priority"], FilterOperator.Gt, Json("null")),
            new ConditionNode(["metadata", "score"], FilterOperator.Lt, Json("null")),
        ];

        foreach (var node in nodes)
        {
            Assert.Equal(
                await stores.InMemory.CountAsync(EntityKind.Task, node),
                await stores.Postgres.CountAsync(EntityKind.Task, node));
            await AssertSameAnswersAsync(new QueryFilter { Where = node });
        }
    }

    private async Task AssertSameAnswersAsync(QueryFilter filter)
    {
        var expected = await stores.InMemory.ListAsync(EntityKind.Task, filter);
        var actual = await stores.Postgres.ListAsync(EntityKind.Task, filter);

        Assert.Equal(expected.Select(r => r.GetRawText()).ToArray(), actual.Select(r => r.GetRawText()).ToArray());
        Assert.Equal(
            await stores.InMemory.CountAsync(EntityKind.Task, filter.Where),
            await stores.Postgres.CountAsync(EntityKind.Task, filter.Where));
    }

    private static string Id(JsonElement row) => row.GetProperty("id").GetString()!;

    private static JsonElement Json(string json) => JsonElementFactory.Parse(json);
}
