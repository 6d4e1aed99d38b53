using System.Text.Json;
using TaskService.Errors;
using TaskService.Queries;
using TaskService.Storage.InMemory;

namespace TaskService.Grains.Tests.Queries;

/// <summary>The <c>qs</c> bracket form of LoopBack filters, read into the same filters as the JSON form.</summary>
public sealed class QueryStringFilterTests
{
    private static readonly EntitySchema TaskSchema = EntitySchemas.Task;

    private static readonly EntitySchema FlagSchema = new(
        EntityKind.Task,
        "flag",
        new Dictionary<string, FieldType>(StringComparer.Ordinal) { ["id"] = FieldType.String, ["done"] = FieldType.Boolean, ["size"] = FieldType.Number },
        [new SortOrder("id", false)]);

    [Theory]
    [MemberData(nameof(FilterCases.BracketCaseNames), MemberType = typeof(FilterCases))]
    public void BracketFormOfSharedCaseReturnsTheExpectedIds(string name)
    {
        var testCase = FilterCases.Get(name);

        var filter = ParseBracket(FilterCases.BracketForm(testCase.FilterJson, "filter"), TaskSchema).OrThrow();
        var ids = FilterEvaluator.Apply(FilterCases.CreateTaskRows(), filter, TaskSchema).Select(r => r["id"]!.GetValue<string>()).ToArray();

        Assert.Equal(testCase.ExpectedIds, ids);
    }

    [Fact]
    public void MostSharedCasesRunInTheBracketFormToo()
    {
        Assert.True(FilterCases.Cases.Count - FilterCases.NotInBracketForm.Count >= 50, "most shared cases run in the bracket form");
        Assert.All(FilterCases.NotInBracketForm, name => Assert.Contains(FilterCases.Cases, c => c.Name == name));
    }

    [Fact]
    public void TheIssuesExamplesBuildTheJsonForm()
    {
        AssertJson("""{"where":{"name":{"like":"%a%"}}}""", ("filter[where][name][like]", "%a%"));
        AssertJson("""{"where":{"or":[{"status":"pending"},{"key":"plan"}]}}""", ("filter[where][or][0][status]", "pending"), ("filter[where][or][1][key]", "plan"));
        AssertJson("""{"order":["name ASC","id DESC"]}""", ("filter[order][0]", "name ASC"), ("filter[order][1]", "id DESC"));
        AssertJson("""{"order":"name ASC"}""", ("filter[order]", "name ASC"));
        AssertJson("""{"limit":5,"skip":2}""", ("filter[limit]", "5"), ("filter[skip]", "2"));
        AssertJson("""{"offset":1}""", ("filter[offset]", "1"));
        AssertJson("""{"fields":{"name":true,"id":false}}""", ("filter[fields][name]", "true"), ("filter[fields][id]", "false"));
        AssertJson("""{"fields":["name","id"]}""", ("filter[fields][0]", "name"), ("filter[fields][1]", "id"));
        AssertJson("""{"where":{"id":{"inq":["a","b"]}}}""", ("filter[where][id][inq][0]", "a"), ("filter[where][id][inq][1]", "b"));
        AssertJson("""{"where":{"id":{"inq":["a","b"]}}}""", ("filter[where][id][inq][]", "a"), ("filter[where][id][inq][]", "b"));
        AssertJson("""{"where":{"id":{"nin":["a"]}}}""", ("filter[where][id][nin]", "a"));
        AssertJson("""{"include":["userTasks"]}""", ("filter[include][0]", "userTasks"));
        AssertJson("""{"include":[{"relation":"userTasks","scope":{"limit":1,"where":{"status":"pending"}}}]}""",
            ("filter[include][0][relation]", "userTasks"), ("filter[include][0][scope][limit]", "1"), ("filter[include][0][scope][where][status]", "pending"));
        Assert.Equal("""{"key":"x"}""", Build(TaskSchema, isWhere: true, ("where[key]", "x")).OrThrow()!.Value.GetRawText());
    }

    [Fact]
    public void RepeatedKeysAreAListAsInQs()
    {
        var pairs = new[] { new KeyValuePair<string, IReadOnlyList<string>>("filter[where][id][inq]", ["a", "b"]) };

        Assert.Equal("""{"where":{"id":{"inq":["a","b"]}}}""", QueryStringFilter.Build(pairs, "filter", TaskSchema, isWhere: false).OrThrow()!.Value.GetRawText());
    }

    [Fact]
    public void ValuesAreCoercedByThePropertysType()
    {
        Assert.Equal("""{"done":true,"size":{"gt":2.5}}""", Build(FlagSchema, true, ("where[done]", "true"), ("where[size][gt]", "2.5")).OrThrow()!.Value.GetRawText());
        Assert.Equal("""{"done":false,"size":{"inq":[1,2]}}""", Build(FlagSchema, true, ("where[done]", "0"), ("where[size][inq][0]", "1"), ("where[size][inq][1]", "2")).OrThrow()!.Value.GetRawText());
        Assert.Equal("""{"size":null}""", Build(FlagSchema, true, ("where[size]", "null")).OrThrow()!.Value.GetRawText());
        Assert.Equal("""{"workflowVersion":{"between":[1,3]}}""", Build(EntitySchemas.Workflow, true, ("where[workflowVersion][between][0]", "1"), ("where[workflowVersion][between][1]", "3")).OrThrow()!.Value.GetRawText());

        // Strings stay strings, even when they look like numbers; so do values inside JSON fields.
        Assert.Equal("""{"name":"10","metadata.score":"10"}""", Build(TaskSchema, true, ("where[name]", "10"), ("where[metadata.score]", "10")).OrThrow()!.Value.GetRawText());
    }

    [Theory]
    [InlineData("where[size]", "ten", "needs a number")]
    [InlineData("where[done]", "yes", "needs true or false")]
    [InlineData("where[size][inq][0]", "x", "needs a number")]
    [InlineData("where[id", "a", "without its ']'")]
    [InlineData("where[id]x", "a", "expected '['")]
    [InlineData("where[id][][x]", "a", "only the last part may append")]
    public void UnreadableBracketKeysAndValuesAre400NamingTheParameter(string key, string value, string fragment)
    {
        var error = Assert.IsType<Problem>(Build(FlagSchema, true, (key, value)).Problem);

        Assert.Equal("where", error.Target);
        Assert.Contains(fragment, error.Detail, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("filter[limit]", "five", "'limit' must be a whole number")]
    [InlineData("filter[wher][name]", "x", "Unknown filter key 'wher'")]
    [InlineData("filter[where][nope]", "x", "Unknown field 'nope'")]
    [InlineData("filter[where][name][regexp]", "x", "Unknown operator 'regexp'")]
    [InlineData("filter[where][name][0]", "x", "cannot be compared with an array")]
    [InlineData("filter[fields][name]", "maybe", "needs true or false")]
    [InlineData("filter[include][0]", "subtasks", "Unknown relation 'subtasks'")]
    [InlineData("filter[include][0][scope][where][priority]", "x", "needs 'relation'")]
    [InlineData("filter[where][dueDate]", "yesterday", "ISO 8601")]
    [InlineData("filter[where][name]", "a\0b", "filter")]
    public void UnknownKeysAndBadValuesInTheBracketFormAre400(string key, string value, string fragment)
    {
        var error = Assert.IsType<Problem>(ParseBracket([new(key, [value])], TaskSchema).Problem);

        Assert.Equal("filter", error.Target);
        Assert.Contains(fragment, error.Detail, StringComparison.Ordinal);
    }

    [Fact]
    public void AKeyThatIsBothAValueAndAnObjectIs400()
    {
        var error = Assert.IsType<Problem>(Build(TaskSchema, true, ("where[name]", "a"), ("where[name][like]", "b")).Problem);

        Assert.Contains("already set to a value", error.Detail, StringComparison.Ordinal);
        Assert.IsType<Problem>(Build(TaskSchema, true, ("where[name][like]", "b"), ("where[name]", "a")).Problem);
    }

    [Fact]
    public void TooManyKeysOrTooLargeAnIndexIs400()
    {
        var many = Enumerable.Range(0, QueryStringFilter.MaxKeys + 1).Select(i => ($"where[id][inq][{i % 900}x]", "a")).ToArray();
        Assert.IsType<Problem>(Build(TaskSchema, true, many).Problem);

        // An index beyond the limit is a plain object key, which no filter key is: refused by the parser.
        var filter = Assert.IsType<Problem>(ParseBracket([new("filter[where][or][5000][key]", ["a"])], TaskSchema).Problem);
        Assert.Equal("filter", filter.Target);
    }

    [Fact]
    public void KeysOfOtherParametersAreIgnoredAndNoKeysGiveNull()
    {
        Assert.Null(Build(TaskSchema, false, ("where[key]", "x"), ("filters[where]", "y"), ("filter", "{}")).OrThrow());
        Assert.False(QueryStringFilter.IsBracketKey("filter", "filter"));
        Assert.False(QueryStringFilter.IsBracketKey("filters[a]", "filter"));
        Assert.True(QueryStringFilter.IsBracketKey("filter[a]", "filter"));
    }

    private static void AssertJson(string expected, params (string Key, string Value)[] pairs)
    {
        var built = Build(TaskSchema, false, pairs).OrThrow()!.Value;
        Assert.Equal(expected, built.GetRawText());

        // The bracket form parses to the filter the JSON form parses to.
        var fromBrackets = FilterParser.ParseFilter(built, TaskSchema).OrThrow();
        var fromJson = FilterParser.ParseFilter(expected, TaskSchema).OrThrow();
        Assert.Equal(Describe(fromJson), Describe(fromBrackets));
    }

    private static string Describe(QueryFilter filter) => JsonSerializer.Serialize(new
    {
        where = Describe(filter.Where),
        order = filter.Order,
        filter.Limit,
        filter.Skip,
        filter.Fields,
        include = filter.Include.Select(i => new { i.Relation, scope = Describe(i.Scope) }),
    });

    private static string Describe(FilterNode? node) => node switch
    {
        null => "",
        ConditionNode c => $"{string.Join('.', c.Path)} {c.Operator} {c.Value.GetRawText()}",
        AndNode a => $"and({string.Join(", ", a.Children.Select(Describe))})",
        OrNode o => $"or({string.Join(", ", o.Children.Select(Describe))})",
        _ => node.GetType().Name,
    };

    private static Outcome<JsonElement?> Build(EntitySchema schema, bool isWhere, params (string Key, string Value)[] pairs) =>
        QueryStringFilter.Build(
            pairs.GroupBy(p => p.Key).Select(g => new KeyValuePair<string, IReadOnlyList<string>>(g.Key, g.Select(p => p.Value).ToArray())),
            isWhere ? "where" : "filter", schema, isWhere);

    private static Outcome<QueryFilter> ParseBracket(IEnumerable<KeyValuePair<string, IReadOnlyList<string>>> pairs, EntitySchema schema)
    {
        var json = QueryStringFilter.Build(pairs, "filter", schema, isWhere: false);
        return !json.IsOk ? json.Problem : json.Value is { } built ? FilterParser.ParseFilter(built, schema) : QueryFilter.Empty;
    }
}
