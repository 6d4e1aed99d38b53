using System.Text.Json.Nodes;
using TaskService.Errors;
using TaskService.Queries;
using TaskService.Storage.InMemory;

namespace TaskService.Grains.Tests.Queries;

/// <summary><c>contains</c>: an array-valued JSON field (a user task's candidateGroups) holds every given value.</summary>
public sealed class ContainsOperatorTests
{
    private static readonly JsonObject[] Rows =
    [
        JsonNode.Parse("""{"id":"a","candidateGroups":["sales","hr"]}""")!.AsObject(),
        JsonNode.Parse("""{"id":"b","candidateGroups":["sales"]}""")!.AsObject(),
        JsonNode.Parse("""{"id":"c"}""")!.AsObject(),
        JsonNode.Parse("""{"id":"d","candidateGroups":["ops"]}""")!.AsObject(),
    ];

    [Theory]
    [InlineData("""{"candidateGroups":{"contains":"sales"}}""", "a,b")]
    [InlineData("""{"candidateGroups":{"contains":["sales","hr"]}}""", "a")]
    [InlineData("""{"candidateGroups":{"contains":["nobody"]}}""", "")]
    [InlineData("""{"or":[{"candidateGroups":{"contains":"ops"}},{"candidateGroups":{"contains":"hr"}}]}""", "a,d")]
    public void ContainsMatchesArraysHoldingEveryValue(string where, string expected)
    {
        var node = FilterParser.ParseWhere(where, EntitySchemas.UserTask).OrThrow();

        var ids = Rows.Where(r => FilterEvaluator.Matches(r, node, EntitySchemas.UserTask)).Select(r => r["id"]!.GetValue<string>());

        Assert.Equal(expected, string.Join(',', ids));
    }

    [Theory]
    [InlineData("""{"name":{"contains":"x"}}""", "applies to a JSON field")]
    [InlineData("""{"candidateGroups.first":{"contains":"x"}}""", "applies to a JSON field")]
    [InlineData("""{"candidateGroups":{"contains":[]}}""", "non-empty array")]
    [InlineData("""{"candidateGroups":{"contains":{"a":1}}}""", "non-empty array")]
    [InlineData("""{"candidateGroups":{"contains":[["x"]]}}""", "non-empty array")]
    public void ContainsElsewhereOrWithoutScalarsIsRefused(string where, string fragment)
    {
        var exception = Assert.IsType<Problem>(FilterParser.ParseWhere(where, EntitySchemas.UserTask).Problem);

        Assert.Equal(TaskServiceErrorKind.Invalid, exception.Kind);
        Assert.Contains(fragment, exception.Detail, StringComparison.Ordinal);
    }
}
