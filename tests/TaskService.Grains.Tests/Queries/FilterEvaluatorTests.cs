using System.Text.Json;
using System.Text.Json.Nodes;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Storage.InMemory;

namespace TaskService.Grains.Tests.Queries;

public sealed class FilterEvaluatorTests
{
    private static readonly EntitySchema TaskSchema = EntitySchemas.Task;

    [Theory]
    [MemberData(nameof(FilterCases.CaseNames), MemberType = typeof(FilterCases))]
    public void SharedCaseReturnsTheExpectedIdsInOrder(string name)
    {
        var testCase = FilterCases.Get(name);
        var filter = FilterParser.ParseFilter(testCase.FilterJson, TaskSchema).OrThrow();

        var ids = FilterEvaluator.Apply(FilterCases.CreateTaskRows(), filter, TaskSchema).Select(Id).ToArray();

        Assert.Equal(testCase.ExpectedIds, ids);
    }

    [Fact]
    public void SharedCasesAssumeTheTaskDefaultOrder()
    {
        // The expected ids of unordered cases are in this order; if the schema's default changes, so must the cases.
        Assert.Equal([new SortOrder("createdOn", false), new SortOrder("id", false)], TaskSchema.DefaultOrder);
    }

    [Fact]
    public void DatasetRowsAreTheContractJsonForm()
    {
        var t02 = FilterCases.CreateTaskRows().Single(r => Id(r) == "t02");
        var t03 = FilterCases.CreateTaskRows().Single(r => Id(r) == "t03");

        Assert.Equal("in progress", t02["status"]!.GetValue<string>());
        Assert.Equal("2024-02-15T12:00:00+02:00", t02["dueDate"]!.GetValue<string>());
        Assert.False(t03.ContainsKey("priority"));
        Assert.False(t03.ContainsKey("metadata"));
    }

    [Fact]
    public void MatchesWithoutWhereAcceptsEveryRow()
    {
        Assert.All(FilterCases.CreateTaskRows(), row => Assert.True(FilterEvaluator.Matches(row, null, TaskSchema)));
    }

    [Fact]
    public void NeqNeverMatchesARowWhoseFieldIsNull()
    {
        var row = new JsonObject { ["id"] = "x", ["priority"] = null };
        var where = FilterParser.ParseWhere("""{"priority":{"neq":"high"}}""", TaskSchema).OrThrow();

        Assert.False(FilterEvaluator.Matches(row, where, TaskSchema));
        Assert.True(FilterEvaluator.Matches(new JsonObject { ["id"] = "x", ["priority"] = "low" }, where, TaskSchema));
    }

    [Fact]
    public void HandBuiltDateConditionComparesInstantsNotText()
    {
        var row = new JsonObject { ["id"] = "x", ["dueDate"] = "2024-02-15T10:00:00+00:00" };
        var where = new ConditionNode(["dueDate"], FilterOperator.Eq, JsonElementFactory.Parse("\"2024-02-15T12:00:00+02:00\""));

        Assert.True(FilterEvaluator.Matches(row, where, TaskSchema));
    }

    [Fact]
    public void EmptyAndHoldsAndEmptyOrDoesNot()
    {
        var row = new JsonObject { ["id"] = "x" };

        Assert.True(FilterEvaluator.Matches(row, new AndNode([]), TaskSchema));
        Assert.False(FilterEvaluator.Matches(row, new OrNode([]), TaskSchema));
    }

    [Fact]
    public void NumberFieldsCompareAndSortNumerically()
    {
        JsonObject[] events =
        [
            new() { ["id"] = "a", ["timestamp"] = 100 },
            new() { ["id"] = "b", ["timestamp"] = 9 },
            new() { ["id"] = "c", ["timestamp"] = 10.5 },
            new() { ["id"] = "d" },
        ];

        var filter = FilterParser.ParseFilter("""{"where":{"timestamp":{"gt":9.5}},"order":"timestamp ASC"}""", EntitySchemas.Event).OrThrow();
        Assert.Equal(["c", "a"], FilterEvaluator.Apply(events, filter, EntitySchemas.Event).Select(Id));

        var all = FilterParser.ParseFilter("""{"order":"timestamp DESC"}""", EntitySchemas.Event).OrThrow();
        Assert.Equal(["d", "a", "c", "b"], FilterEvaluator.Apply(events, all, EntitySchemas.Event).Select(Id));
    }

    [Fact]
    public void BooleanFieldsMatchByValueAndSkipNulls()
    {
        JsonObject[] rows =
        [
            new() { ["id"] = "a", ["done"] = true },
            new() { ["id"] = "b", ["done"] = false },
            new() { ["id"] = "c" },
        ];

        string[] Ids(string where) =>
            FilterEvaluator.Apply(rows, FilterParser.ParseFilter(where, FilterCases.FlagSchema).OrThrow(), FilterCases.FlagSchema).Select(Id).ToArray();

        Assert.Equal(["a"], Ids("""{"where":{"done":true}}"""));
        Assert.Equal(["b"], Ids("""{"where":{"done":{"neq":true}}}"""));
        Assert.Equal(["c"], Ids("""{"where":{"done":null}}"""));
        Assert.Equal(["a", "b"], Ids("""{"where":{"done":{"inq":[false,true]}}}"""));
    }

    [Theory]
    [InlineData("abc", "a%c", false, true)]
    [InlineData("abc", "a_c", false, true)]
    [InlineData("ac", "a_c", false, false)]
    [InlineData("abc", "ABC", false, false)]
    [InlineData("abc", "ABC", true, true)]
    [InlineData("ÉTÉ", "été", true, true)]
    [InlineData("a%c", @"a\%c", false, true)]
    [InlineData("abc", @"a\%c", false, false)]
    [InlineData("a_c", @"a\_c", false, true)]
    [InlineData("abc", @"a\_c", false, false)]
    [InlineData(@"a\c", @"a\\c", false, true)]
    [InlineData("abc", @"\a\b\c", false, true)]
    [InlineData("😀x", "_x", false, true)]
    [InlineData("😀x", "__x", false, false)]
    [InlineData("aaa", "%a%a%a%", false, true)]
    [InlineData("aa", "%a%a%a%", false, false)]
    [InlineData("xaybzc", "%a%b%c", false, true)]
    [InlineData("abcabd", "%abd", false, true)]
    [InlineData("", "%", false, true)]
    [InlineData("", "_", false, false)]
    [InlineData("abc", "ab", false, false)]
    public void LikeFollowsSqlPatternRules(string name, string pattern, bool ignoreCase, bool expected)
    {
        var row = new JsonObject { ["id"] = "x", ["name"] = name };
        var where = new ConditionNode(["name"], ignoreCase ? FilterOperator.Ilike : FilterOperator.Like, JsonSerializer.SerializeToElement(pattern));

        Assert.Equal(expected, FilterEvaluator.Matches(row, where, TaskSchema));
    }

    [Fact]
    public void APathologicalLikePatternOnALongValueAnswersQuickly()
    {
        // Backtracking regex translations of LIKE take exponential time here; the matcher keeps one restart point (O(n*m)).
        var row = new JsonObject { ["id"] = "x", ["name"] = new string('a', 10_000) };
        var pattern = string.Concat(Enumerable.Repeat("%a", 200)) + "%b";
        var where = new ConditionNode(["name"], FilterOperator.Ilike, JsonSerializer.SerializeToElement(pattern));

        Assert.False(Quickly.Runs(() => FilterEvaluator.Matches(row, where, TaskSchema), TimeSpan.FromSeconds(1), "LIKE"));
    }

    [Fact]
    public void StringsOrderByCodePointNotUtf16Unit()
    {
        // U+FF21 sorts before U+1F600 in UTF-8 byte order, but after it as UTF-16 units (0xD83D).
        JsonObject[] rows = [new() { ["id"] = "emoji", ["name"] = "😀" }, new() { ["id"] = "fullwidth", ["name"] = "Ａ" }];

        var ids = FilterEvaluator.Apply(rows, FilterParser.ParseFilter("""{"order":"name ASC"}""", TaskSchema).OrThrow(), TaskSchema).Select(Id);

        Assert.Equal(["fullwidth", "emoji"], ids);
        Assert.True(FilterEvaluator.Matches(rows[0], FilterParser.ParseWhere("""{"name":{"gt":"Ａ"}}""", TaskSchema).OrThrow(), TaskSchema));
    }

    [Fact]
    public void ProjectionKeepsOnlyTheRequestedFields()
    {
        var filter = FilterParser.ParseFilter("""{"fields":["id","priority"],"order":"name ASC","limit":2}""", TaskSchema).OrThrow();

        var rows = FilterEvaluator.Apply(FilterCases.CreateTaskRows(), filter, TaskSchema).ToArray();

        Assert.Equal("""{"id":"t03"}""", rows[0].ToJsonString());
        Assert.Equal("""{"id":"t04","priority":"medium"}""", rows[1].ToJsonString());
    }

    [Fact]
    public void ExcludedFieldsAreLeftOut()
    {
        var filter = FilterParser.ParseFilter("""{"fields":{"metadata":false},"where":{"id":"t01"}}""", TaskSchema).OrThrow();

        var row = Assert.Single(FilterEvaluator.Apply(FilterCases.CreateTaskRows(), filter, TaskSchema));

        Assert.False(row.ContainsKey("metadata"));
        Assert.Equal("Review contract", row["name"]!.GetValue<string>());
    }

    [Fact]
    public void ResultsAreCopiesThatLeaveTheStoredRowsAlone()
    {
        var rows = FilterCases.CreateTaskRows();
        var before = rows.Select(r => r.ToJsonString()).ToArray();

        foreach (var result in FilterEvaluator.Apply(rows, QueryFilter.Empty, TaskSchema))
        {
            result["name"] = "changed";
            result["metadata"]?.AsObject().Add("extra", 1);
        }

        var projected = FilterEvaluator.Project(rows[0], ["id", "metadata"]);
        projected["metadata"]!.AsObject()["score"] = -1;

        Assert.Equal(before, rows.Select(r => r.ToJsonString()));
    }

    private static string Id(JsonObject row) => row["id"]!.GetValue<string>();
}
