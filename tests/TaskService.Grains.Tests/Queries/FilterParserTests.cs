using System.Text.Json;
using TaskService.Errors;
using TaskService.Queries;

namespace TaskService.Grains.Tests.Queries;

public sealed class FilterParserTests
{
    private static readonly EntitySchema TaskSchema = EntitySchemas.Task;

    [Theory]
    [MemberData(nameof(FilterCases.InvalidCaseNames), MemberType = typeof(FilterCases))]
    public void InvalidInputIsRejectedNamingTheParameterAndTheCulprit(string name)
    {
        var invalid = FilterCases.GetInvalid(name);

        var error = Assert.IsType<Problem>(invalid.Parameter == "where"
            ? FilterParser.ParseWhere(invalid.Json, TaskSchema).Problem
            : FilterParser.ParseFilter(invalid.Json, TaskSchema).Problem);

        Assert.Equal(TaskServiceErrorKind.Invalid, error.Kind);
        Assert.Equal(invalid.Parameter, error.Target);
        Assert.Contains(invalid.MessageFragment, error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"status": "in-progress"}""", "task")]
    [InlineData("""{"status": {"neq": "done"}}""", "task")]
    [InlineData("""{"status": {"inq": ["pending", "Pending"]}}""", "task")]
    [InlineData("""{"status": {"nin": ["closed"]}}""", "user task")]
    [InlineData("""{"status": "running"}""", "workflow instance")]
    [InlineData("""{"status": "ok"}""", "webhook delivery")]
    [InlineData("""{"status": "paused"}""", "webhook subscription")]
    public void AStatusNoRowCanHoldIsRefusedListingTheOnesItCan(string where, string entity)
    {
        var schema = entity switch
        {
            "task" => EntitySchemas.Task,
            "user task" => EntitySchemas.UserTask,
            "workflow instance" => EntitySchemas.WorkflowInstance,
            "webhook delivery" => EntitySchemas.WebhookDelivery,
            _ => EntitySchemas.WebhookSubscription,
        };

        var error = Assert.IsType<Problem>(FilterParser.ParseWhere(where, schema).Problem);

        Assert.Equal("where", error.Target);
        Assert.Contains($"Field 'status' of {entity} holds one of \"", error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"where":""", "line 1, position 10")]
    [InlineData("[1,2", "line 1, position 5")]
    [InlineData("{bad", "line 1, position 2")]
    public void MalformedJsonIsDescribedInTheServicesOwnWordsNotTheParsers(string json, string position)
    {
        var error = Assert.IsType<Problem>(FilterParser.ParseFilter(json, TaskSchema).Problem);

        Assert.Equal($"The 'filter' parameter is not valid JSON: check the syntax at {position}.", error.Detail);
    }

    [Fact]
    public void AWhereDeeperThanItsAndOrLimitIsRefusedEvenWithinALargerJsonDepth()
    {
        var where = string.Concat(Enumerable.Repeat("""{"or":[""", 33)) + """{"name":"x"}""" + string.Concat(Enumerable.Repeat("]}", 33));

        var error = Assert.IsType<Problem>(FilterParser.ParseWhere(where, TaskSchema, maxJsonDepth: 100).Problem);

        Assert.Equal("The where clause is nested more than 32 levels deep through 'and'/'or'.", error.Detail);
    }

    [Theory]
    [InlineData("""{"status": "in progress"}""")]
    [InlineData("""{"status": {"inq": ["pending", "completed"]}}""")]
    [InlineData("""{"status": {"like": "pend%"}}""")]
    [InlineData("""{"status": null}""")]
    public void AStatusATaskCanHoldPasses(string where)
    {
        Assert.True(FilterParser.ParseWhere(where, EntitySchemas.Task).IsOk);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("null")]
    public void MissingFilterIsEmpty(string? json)
    {
        Assert.Same(QueryFilter.Empty, FilterParser.ParseFilter(json, TaskSchema).OrThrow());
    }

    [Theory]
    [InlineData(null)]
    [InlineData(" ")]
    [InlineData("{}")]
    [InlineData("null")]
    public void MissingOrEmptyWhereIsNull(string? json)
    {
        Assert.Null(FilterParser.ParseWhere(json, TaskSchema).OrThrow());
    }

    [Fact]
    public void SingleConditionIsAConditionNode()
    {
        var filter = FilterParser.ParseFilter("""{"where":{"status":"pending"}}""", TaskSchema).OrThrow();

        var condition = Assert.IsType<ConditionNode>(filter.Where);
        Assert.Equal(["status"], condition.Path);
        Assert.Equal(FilterOperator.Eq, condition.Operator);
        Assert.Equal("pending", condition.Value.GetString());
    }

    [Fact]
    public void SeveralConditionsAreAnAndNodeInOrder()
    {
        var where = FilterParser.ParseWhere(
            """{"status":"pending","dueDate":{"gte":"2024-01-01T00:00:00Z","lt":"2024-02-01T00:00:00Z"},"and":[{"key":"a"},{"name":{"like":"x%"}}]}""",
            TaskSchema).OrThrow();

        var and = Assert.IsType<AndNode>(where);
        var conditions = and.Children.Cast<ConditionNode>().Select(c => (c.Field, c.Operator)).ToArray();
        Assert.Equal(
            [("status", FilterOperator.Eq), ("dueDate", FilterOperator.Gte), ("dueDate", FilterOperator.Lt), ("key", FilterOperator.Eq), ("name", FilterOperator.Like)],
            conditions);
    }

    [Fact]
    public void OrBecomesAnOrNodeOfItsBranches()
    {
        var where = FilterParser.ParseWhere("""{"or":[{"status":"pending"},{"status":"completed","assigneeId":null}]}""", TaskSchema).OrThrow();

        var or = Assert.IsType<OrNode>(where);
        Assert.Equal(2, or.Children.Count);
        Assert.IsType<ConditionNode>(or.Children[0]);
        var second = Assert.IsType<AndNode>(or.Children[1]);
        var isNull = Assert.IsType<ConditionNode>(second.Children[1]);
        Assert.Equal(FilterOperator.Eq, isNull.Operator);
        Assert.Equal(JsonValueKind.Null, isNull.Value.ValueKind);
    }

    [Fact]
    public void OrWithAnAlwaysTrueBranchIsNoCondition()
    {
        Assert.Null(FilterParser.ParseWhere("""{"or":[{},{"status":"pending"}]}""", TaskSchema).OrThrow());
    }

    [Fact]
    public void DottedPathIntoJsonFieldIsSplitIntoSegments()
    {
        var where = FilterParser.ParseWhere("""{"metadata.customer.id":{"inq":["c-1","c-2"]}}""", TaskSchema).OrThrow();

        var condition = Assert.IsType<ConditionNode>(where);
        Assert.Equal(["metadata", "customer", "id"], condition.Path);
        Assert.Equal("metadata", condition.Field);
        Assert.Equal(FilterOperator.Inq, condition.Operator);
        Assert.Equal("""["c-1","c-2"]""", condition.Value.GetRawText());
    }

    [Theory]
    [InlineData("2024-02-15T11:00:00+01:00", "2024-02-15T10:00:00Z")]
    [InlineData("2024-02-15T10:00:00.250Z", "2024-02-15T10:00:00.25Z")]
    [InlineData("2024-02-15T10:00:00", "2024-02-15T10:00:00Z")]
    [InlineData("2024-02-15", "2024-02-15T00:00:00Z")]
    [InlineData("2024-02-15 23:30-01:00", "2024-02-16T00:30:00Z")]
    public void DateTimeValuesAreRewrittenAsUtcInstants(string given, string expected)
    {
        var where = FilterParser.ParseWhere($$"""{"dueDate":{"between":["{{given}}","{{given}}"]},"createdOn":"{{given}}"}""", TaskSchema).OrThrow();

        var and = Assert.IsType<AndNode>(where);
        var between = Assert.IsType<ConditionNode>(and.Children[0]);
        Assert.Equal([expected, expected], between.Value.EnumerateArray().Select(v => v.GetString()));
        Assert.Equal(expected, Assert.IsType<ConditionNode>(and.Children[1]).Value.GetString());
    }

    [Fact]
    public void ValuesOutliveTheParsedDocument()
    {
        var where = FilterParser.ParseWhere("""{"name":"Zeta"}""", TaskSchema).OrThrow();

        Assert.Equal("Zeta", Assert.IsType<ConditionNode>(where).Value.GetString());
    }

    [Fact]
    public void OrderAcceptsStringsArraysCommasAndAnyCaseDirection()
    {
        Assert.Equal(
            [new SortOrder("name", false), new SortOrder("dueDate", true)],
            FilterParser.ParseFilter("""{"order":"name, dueDate desc"}""", TaskSchema).OrThrow().Order);
        Assert.Equal(
            [new SortOrder("status", true), new SortOrder("id", false)],
            FilterParser.ParseFilter("""{"order":["status DeSc","id asc"]}""", TaskSchema).OrThrow().Order);
    }

    [Fact]
    public void LimitSkipAndOffsetAreRead()
    {
        var filter = FilterParser.ParseFilter("""{"limit":1000,"skip":20}""", TaskSchema).OrThrow();
        Assert.Equal(1000, filter.Limit);
        Assert.Equal(20, filter.Skip);

        var withOffset = FilterParser.ParseFilter("""{"limit":null,"offset":7}""", TaskSchema).OrThrow();
        Assert.Null(withOffset.Limit);
        Assert.Equal(7, withOffset.Skip);
    }

    [Fact]
    public void FieldsArraySelectsFieldsInSchemaOrder()
    {
        Assert.Equal(["id", "name", "status"], FilterParser.ParseFilter("""{"fields":["status","id","name","id"]}""", TaskSchema).OrThrow().Fields);
        Assert.Null(FilterParser.ParseFilter("""{"fields":[]}""", TaskSchema).OrThrow().Fields);
    }

    [Fact]
    public void FieldsObjectWithTrueValuesSelectsThose()
    {
        Assert.Equal(["id", "dueDate"], FilterParser.ParseFilter("""{"fields":{"dueDate":true,"id":true,"name":false}}""", TaskSchema).OrThrow().Fields);
    }

    [Fact]
    public void FieldsObjectWithOnlyFalseValuesExcludesThose()
    {
        var fields = FilterParser.ParseFilter("""{"fields":{"metadata":false,"description":false}}""", TaskSchema).OrThrow().Fields;

        Assert.Equal(TaskSchema.Fields.Keys.Where(f => f is not ("metadata" or "description")), fields);
    }

    [Fact]
    public void WhereFromAFilterElementReportsTheGivenParameter()
    {
        using var document = JsonDocument.Parse("""{"nope":1}""");

        var error = Assert.IsType<Problem>(FilterParser.ParseWhere(document.RootElement, TaskSchema, "filter").Problem);

        Assert.Equal("filter", error.Target);
        Assert.Contains("Unknown field 'nope'", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void NumberFieldsNeedJsonNumbers()
    {
        var where = FilterParser.ParseWhere("""{"timestamp":{"between":[1700000000000,1800000000000]}}""", EntitySchemas.Event).OrThrow();
        Assert.Equal(FilterOperator.Between, Assert.IsType<ConditionNode>(where).Operator);

        var error = Assert.IsType<Problem>(FilterParser.ParseWhere("""{"timestamp":{"gt":"1700000000000"}}""", EntitySchemas.Event).Problem);
        Assert.Contains("Field 'timestamp' of event needs a number", error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void BooleanFieldsAcceptEqualityOperatorsOnly()
    {
        Assert.IsType<ConditionNode>(FilterParser.ParseWhere("""{"done":{"inq":[true]}}""", FilterCases.FlagSchema).OrThrow());

        var range = Assert.IsType<Problem>(FilterParser.ParseWhere("""{"done":{"gt":false}}""", FilterCases.FlagSchema).Problem);
        Assert.Contains("Operator 'gt' is not supported on the boolean field 'done' of flag. Supported: eq, neq, inq, nin.", range.Detail, StringComparison.Ordinal);

        var text = Assert.IsType<Problem>(FilterParser.ParseWhere("""{"done":"true"}""", FilterCases.FlagSchema).Problem);
        Assert.Contains("Field 'done' of flag needs a boolean", text.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void SharedCasesUseEveryOperator()
    {
        var used = FilterCases.Cases
            .Select(c => FilterParser.ParseFilter(c.FilterJson, TaskSchema).OrThrow().Where)
            .SelectMany(Flatten)
            .Select(c => c.Operator)
            .ToHashSet();

        Assert.Equal(Enum.GetValues<FilterOperator>().Order(), used.Order());
    }

    private static IEnumerable<ConditionNode> Flatten(FilterNode? node) => node switch
    {
        ConditionNode condition => [condition],
        AndNode and => and.Children.SelectMany(Flatten),
        OrNode or => or.Children.SelectMany(Flatten),
        _ => [],
    };
}
