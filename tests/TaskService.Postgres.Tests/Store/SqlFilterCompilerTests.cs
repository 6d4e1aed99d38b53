using System.Text.Json;
using NpgsqlTypes;
using TaskService.ClientApps;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Queries;
using TaskService.Storage.Postgres;
using TaskService.Tasks;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Postgres.Tests.Store;

/// <summary>The compiler and its column map on their own, without a database.</summary>
public sealed class SqlFilterCompilerTests
{
    public static TheoryData<EntityKind, Type> Entities() => new()
    {
        { EntityKind.Event, typeof(EventRecord) },
        { EntityKind.Task, typeof(TaskRecord) },
        { EntityKind.UserTask, typeof(UserTaskRecord) },
        { EntityKind.EventMapping, typeof(EventWorkflowMapping) },
        { EntityKind.TaskMapping, typeof(TaskWorkflowMapping) },
        { EntityKind.ClientApp, typeof(ClientAppRecord) },
        { EntityKind.WebhookSubscription, typeof(WebhookSubscriptionRecord) },
        { EntityKind.Workflow, typeof(WorkflowRecord) },
        { EntityKind.WorkflowInstance, typeof(WorkflowInstanceSummary) },
        { EntityKind.TaskHistory, typeof(TaskHistoryEntry) },
    };

    [Theory]
    [MemberData(nameof(Entities))]
    public void EveryFieldOfTheSchemaHasOneColumnOfItsTypeInTheRecordsPropertyOrder(EntityKind kind, Type record)
    {
        var table = PostgresEntityTables.For(kind);
        var schema = EntitySchemas.For(kind);

        Assert.Equal(schema.Fields.Keys.Order(StringComparer.Ordinal), table.Columns.Select(c => c.Field).Order(StringComparer.Ordinal));
        Assert.All(table.Columns, c => Assert.Equal(schema.Fields[c.Field], c.Type));
        Assert.Equal(
            record.GetProperties().Where(p => !p.IsDefined(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), inherit: false)).Select(p => JsonNamingPolicy.CamelCase.ConvertName(p.Name)),
            table.Columns.Select(c => c.Field));
        Assert.Equal(table.Columns.Count, table.Columns.Select(c => c.Sql).Distinct().Count());
    }

    [Fact]
    public void OrderIsRequestedThenDefaultByCodePointWithPostgresNullOrdering()
    {
        var filter = FilterParser.ParseFilter("""{"order":["name DESC","createdOn"],"limit":5,"skip":10}""", EntitySchemas.Task).OrThrow();

        var sql = new SqlFilterCompiler().Compile(EntityKind.Task, filter);

        Assert.Equal("name COLLATE \"C\" DESC, created_on ASC, id COLLATE \"C\" ASC", sql.OrderBy);
        Assert.Equal("LIMIT $1 OFFSET $2", sql.Paging);
        Assert.Equal([5L, 10L], sql.Parameters.Select(p => p.Value));
        Assert.Equal("TRUE", sql.Where);
    }

    [Fact]
    public void IlikeLowersBothSidesUnderTheCaseFoldingCollation()
    {
        var where = FilterParser.ParseWhere("""{"name":{"ilike":"été%"}}""", EntitySchemas.Task).OrThrow();

        Assert.Equal(
            "lower(name COLLATE \"C.utf8\") LIKE lower($1 COLLATE \"C.utf8\") ESCAPE E'\\\\'",
            new SqlFilterCompiler().CompileWhere(EntityKind.Task, where).Where);
        Assert.Equal(
            "lower(name) LIKE lower($1) ESCAPE E'\\\\'",
            new SqlFilterCompiler(caseFoldingCollation: null).CompileWhere(EntityKind.Task, where).Where);
    }

    [Fact]
    public void AJsonPathIsATextArrayParameterAndIntegerLikePartsMustCrossObjects()
    {
        var where = FilterParser.ParseWhere("""{"metadata.tags.0":"a"}""", EntitySchemas.Task).OrThrow();

        var sql = new SqlFilterCompiler().CompileWhere(EntityKind.Task, where);

        Assert.Equal("(CASE WHEN jsonb_typeof(metadata #> $2) = 'object' THEN metadata #> $1 END) = $3", sql.Where);
        Assert.Equal(NpgsqlDbType.Array | NpgsqlDbType.Text, sql.Parameters[0].NpgsqlDbType);
        Assert.Equal(["tags", "0"], (string[])sql.Parameters[0].Value!);
        Assert.Equal(["tags"], (string[])sql.Parameters[1].Value!);
        Assert.Equal("\"a\"", sql.Parameters[2].Value);
    }

    [Theory]
    [InlineData("C\"; DROP TABLE main.tasks; --")]
    [InlineData("")]
    [InlineData("C utf8")]
    public void OnlyPlainCollationNamesAreAccepted(string collation)
    {
        Assert.Throws<ArgumentException>(() => new SqlFilterCompiler(collation));
    }

    [Fact]
    public void OrderingByAJsonFieldOrAnUnknownFieldIsRefused()
    {
        var compiler = new SqlFilterCompiler();

        Assert.Throws<ArgumentException>(() => compiler.Compile(EntityKind.Task, new QueryFilter { Order = [new SortOrder("metadata", false)] }));
        Assert.Throws<ArgumentException>(() => compiler.Compile(EntityKind.Task, new QueryFilter { Order = [new SortOrder("name; --", false)] }));
    }
}
