using System.Text.Json;
using System.Text.Json.Nodes;
using TaskService.Errors;
using TaskService.Testing.Queries;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Storage.Postgres;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// SQL in every position of a filter: field names, operators, JSON paths, order, fields, paging and values. Names never get
/// past the parser (a 400); values reach PostgreSQL only as parameters and match only rows that hold them. The tables and
/// their rows are there afterwards.
/// </summary>
public sealed class SqlInjectionTests(FilterCaseStores stores) : IClassFixture<FilterCaseStores>
{
    private const string DropTasks = "; DROP TABLE main.tasks; --";

    /// <summary>Values that would end a quoted literal, comment out the rest, or look like a placeholder.</summary>
    public static TheoryData<string> HostileValues() => new(
        "' OR 1=1 --",
        "' OR '1'='1",
        "'); DROP TABLE main.tasks; --",
        @"\'; DROP TABLE main.tasks; --",
        "$$; DROP TABLE main.tasks; $$",
        "$1",
        "%' OR '1'='1",
        "\"; DROP TABLE main.tasks; --",
        "Robert'); DROP TABLE tasks;--",
        "\0'; DROP TABLE main.tasks; --",
        "*/ DROP TABLE main.tasks; /*");

    /// <summary>Filters with SQL where a name, operator, path, direction or number belongs.</summary>
    public static TheoryData<string, string> HostileStructures() => new()
    {
        { "filter", $$$$"""{"where":{"name{{{{DropTasks}}}}":"x"}}""" },
        { "filter", """{"where":{"name\" = name OR \"1":"x"}}""" },
        { "filter", """{"where":{"name) OR (1=1":"x"}}""" },
        { "filter", $$$$"""{"where":{"name":{"eq{{{{DropTasks}}}}":"x"}}}""" },
        { "filter", """{"where":{"name":{"like' OR 1=1 --":"x"}}}""" },
        { "filter", """{"where":{"name":{"= ANY(ARRAY['x']) OR TRUE --":"x"}}}""" },
        { "filter", """{"where":{"or":[{"name":"x"}],"1=1; --":"x"}}""" },
        { "filter", """{"where":{"metadata.a'b":"x"}}""" },
        { "filter", """{"where":{"metadata.a\"b":1}}""" },
        { "filter", """{"where":{"metadata.a}b":1}}""" },
        { "filter", """{"where":{"metadata.a,b":1}}""" },
        { "filter", """{"where":{"metadata.a b":1}}""" },
        { "filter", $$$$"""{"where":{"metadata.x'){{{{DropTasks}}}}":"x"}}""" },
        { "filter", """{"where":{"metadata.customer.id')::text OR ('1":"x"}}""" },
        { "filter", """{"where":{"metadata.{}":1}}""" },
        { "filter", """{"where":{"dueDate":"2024-01-01'; DROP TABLE main.tasks; --"}}""" },
        { "filter", """{"where":{"dueDate":{"gt":"2024-01-01T00:00:00Z' OR 1=1 --"}}}""" },
        { "filter", $$$$"""{"order":"name{{{{DropTasks}}}}"}""" },
        { "filter", """{"order":"name ASC NULLS FIRST"}""" },
        { "filter", """{"order":"(SELECT 1) ASC"}""" },
        { "filter", """{"order":"name DESC, (SELECT pg_sleep(1))"}""" },
        { "filter", """{"order":"metadata.score ASC"}""" },
        { "filter", """{"fields":["id, (SELECT 1)"]}""" },
        { "filter", """{"fields":{"name FROM main.tasks;--":true}}""" },
        { "filter", """{"limit":"1; DROP TABLE main.tasks"}""" },
        { "filter", """{"skip":"1 OR 1=1"}""" },
        { "filter", """{"limit":1e400}""" },
        { "filter", """{"where":{"metadata.score":{"gt":1e400}}}""" },
        { "where", $$$$"""{"name{{{{DropTasks}}}}":"x"}""" },
        { "where", """{"name":{"ilike') OR 1=1 --":"x"}}""" },
        { "where", """{"metadata.score; DROP TABLE main.tasks":1}""" },
    };

    [Theory]
    [MemberData(nameof(HostileStructures))]
    public async Task SqlInANameOperatorPathOrderOrNumberIsABadRequestFromTheParser(string parameter, string json)
    {
        var error = Assert.IsType<Problem>(parameter == "filter"
            ? FilterParser.ParseFilter(json, EntitySchemas.Task).Problem
            : FilterParser.ParseWhere(json, EntitySchemas.Task).Problem);

        Assert.Equal(TaskServiceErrorKind.Invalid, error.Kind);
        Assert.Equal(parameter, error.Target);
        await AssertTablesIntactAsync();
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public async Task SqlInAValueMatchesOnlyRowsHoldingThatValueUnderEveryOperator(string value)
    {
        string[] operators = ["eq", "neq", "gt", "gte", "lt", "lte", "like", "ilike", "inq", "nin", "between"];
        foreach (var field in new[] { "name", "id", "metadata.note", "metadata.customer.id" })
        {
            foreach (var op in operators)
            {
                JsonNode operand = op switch
                {
                    "inq" or "nin" => new JsonArray(value, "t01"),
                    "between" => new JsonArray(value, value + "~"),
                    _ => JsonValue.Create(value)!,
                };
                var filterJson = new JsonObject { ["where"] = new JsonObject { [field] = new JsonObject { [op] = operand } } }.ToJsonString();
                var filter = FilterParser.ParseFilter(filterJson, EntitySchemas.Task).OrThrow();

                var expected = await stores.InMemory.ListAsync(EntityKind.Task, filter);
                var actual = await stores.Postgres.ListAsync(EntityKind.Task, filter);

                Assert.True(
                    expected.Select(r => r.GetRawText()).SequenceEqual(actual.Select(r => r.GetRawText())),
                    $"{filterJson}: PostgreSQL returned [{string.Join(", ", actual.Select(Id))}], in-memory [{string.Join(", ", expected.Select(Id))}]");
                Assert.Equal(await stores.InMemory.CountAsync(EntityKind.Task, filter.Where), await stores.Postgres.CountAsync(EntityKind.Task, filter.Where));
            }
        }

        await AssertTablesIntactAsync();
    }

    [Fact]
    public async Task ASqlLookingValueFindsTheRowThatHoldsIt()
    {
        var filter = FilterParser.ParseFilter("""{"where":{"or":[{"name":"Robert'); DROP TABLE tasks;--"},{"metadata.note":{"like":"' OR '1'='_"}}]}}""", EntitySchemas.Task).OrThrow();

        var rows = await stores.Postgres.ListAsync(EntityKind.Task, filter);

        Assert.Equal(["t10"], rows.Select(Id));
        await AssertTablesIntactAsync();
    }

    [Theory]
    [MemberData(nameof(HostileValues))]
    public void CompiledSqlCarriesValuesOnlyAsParameters(string value)
    {
        var compiler = new SqlFilterCompiler();
        var filter = FilterParser.ParseFilter(
            new JsonObject
            {
                ["where"] = new JsonObject
                {
                    ["or"] = new JsonArray(
                        new JsonObject { ["name"] = value },
                        new JsonObject { ["name"] = new JsonObject { ["ilike"] = value } },
                        new JsonObject { ["metadata.note"] = new JsonObject { ["gt"] = value } },
                        new JsonObject { ["metadata.customer.id"] = new JsonObject { ["nin"] = new JsonArray(value) } }),
                },
            }.ToJsonString(),
            EntitySchemas.Task).OrThrow();

        var sql = compiler.Compile(EntityKind.Task, filter);

        Assert.DoesNotContain("DROP", sql.Where, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("--", sql.Where, StringComparison.Ordinal);
        Assert.DoesNotContain("1=1", sql.Where, StringComparison.Ordinal);
        Assert.DoesNotContain("customer", sql.Where, StringComparison.Ordinal);
        Assert.Contains(sql.Parameters, p => p.Value is string s && (s == value || value.StartsWith(s + "\0", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task HandBuiltNodesWithSqlFieldNamesNeverReachTheDatabase()
    {
        FilterNode[] nodes =
        [
            new ConditionNode([$"name{DropTasks}"], FilterOperator.Eq, JsonElementFactory.Parse("\"x\"")),
            new ConditionNode(["\"name\" = \"name\" OR TRUE"], FilterOperator.Eq, JsonElementFactory.Parse("\"x\"")),
            new ConditionNode(["Name"], FilterOperator.Eq, JsonElementFactory.Parse("\"x\"")),
            new OrNode([new ConditionNode(["id"], FilterOperator.Eq, JsonElementFactory.Parse("\"t01\"")), new ConditionNode(["id) OR (TRUE"], FilterOperator.Eq, JsonElementFactory.Parse("\"x\""))]),
        ];

        foreach (var node in nodes)
        {
            await Assert.ThrowsAsync<ArgumentException>(() => stores.Postgres.ListAsync(EntityKind.Task, new QueryFilter { Where = node }));
            await Assert.ThrowsAsync<ArgumentException>(() => stores.Postgres.CountAsync(EntityKind.Task, node));
        }

        await Assert.ThrowsAsync<ArgumentException>(() => stores.Postgres.ListAsync(
            EntityKind.Task, new QueryFilter { Order = [new SortOrder($"name{DropTasks}", false)] }));
        await AssertTablesIntactAsync();
    }

    [Fact]
    public async Task HandBuiltJsonPathsWithSqlAreParametersThatMatchNothing()
    {
        string[] segments = ["a'b", "x') OR 1=1 --", "}\"{", "a,b", "a$b", DropTasks, "0'; DROP TABLE main.tasks; --"];
        foreach (var segment in segments)
        {
            var node = new ConditionNode(["metadata", segment], FilterOperator.Neq, JsonElementFactory.Parse("null"));

            Assert.Empty(await stores.Postgres.ListAsync(EntityKind.Task, new QueryFilter { Where = node }));
            Assert.Empty(await stores.InMemory.ListAsync(EntityKind.Task, new QueryFilter { Where = node }));
            Assert.DoesNotContain(segment, new SqlFilterCompiler().CompileWhere(EntityKind.Task, node).Where, StringComparison.Ordinal);
        }

        await AssertTablesIntactAsync();
    }

    private async Task AssertTablesIntactAsync()
    {
        Assert.Equal(StoreTables.All.Order(StringComparer.Ordinal), await StoreTables.ExistingAsync(stores.DataSource));
        Assert.Equal(FilterCases.Tasks.Count, await stores.Postgres.CountAsync(EntityKind.Task, null));
    }

    private static string Id(JsonElement row) => row.GetProperty("id").GetString()!;
}
