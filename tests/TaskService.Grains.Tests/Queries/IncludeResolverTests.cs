using System.Text.Json;
using TaskService.Queries;
using TaskService.Storage.InMemory;

namespace TaskService.Grains.Tests.Queries;

/// <summary><c>include</c> against the in-memory store; the PostgreSQL tests run the same <see cref="IncludeCases"/>.</summary>
public sealed class IncludeResolverTests : IAsyncLifetime
{
    private readonly InMemoryTaskServiceStore _store = new(TimeProvider.System);
    private IncludeResolver _resolver = null!;

    public async Task InitializeAsync()
    {
        await IncludeCases.SeedAsync(_store);
        _resolver = new IncludeResolver(_store);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    [Theory]
    [MemberData(nameof(IncludeCases.CaseNames), MemberType = typeof(IncludeCases))]
    public async Task IncludeCaseReturnsTheExpectedRelatedRows(string name)
    {
        var testCase = IncludeCases.Get(name);
        var filter = FilterParser.ParseFilter(testCase.FilterJson, EntitySchemas.For(testCase.Kind)).OrThrow();

        var rows = await _resolver.ListAsync(testCase.Kind, filter);

        Assert.Equal(testCase.Expected, IncludeCases.Describe(rows, IncludeCases.RelationOf(testCase.Kind)));
    }

    [Theory]
    [MemberData(nameof(IncludeCases.CaseNames), MemberType = typeof(IncludeCases))]
    public async Task IncludeCaseInTheBracketFormReturnsTheSame(string name)
    {
        var testCase = IncludeCases.Get(name);
        var schema = EntitySchemas.For(testCase.Kind);
        var json = QueryStringFilter.Build(FilterCases.BracketForm(testCase.FilterJson, "filter"), "filter", schema, isWhere: false).OrThrow()!.Value;

        var rows = await _resolver.ListAsync(testCase.Kind, FilterParser.ParseFilter(json, schema).OrThrow());

        Assert.Equal(testCase.Expected, IncludeCases.Describe(rows, IncludeCases.RelationOf(testCase.Kind)));
    }

    [Fact]
    public async Task FieldsOfParentAndScopeKeepOnlyWhatWasAskedFor()
    {
        var filter = FilterParser.ParseFilter(
            """{"where":{"id":"t01"},"fields":["name"],"include":[{"relation":"userTasks","scope":{"fields":["name"],"limit":2}}]}""", EntitySchemas.Task).OrThrow();

        var row = Assert.Single(await _resolver.ListAsync(EntityKind.Task, filter));

        Assert.Equal("""{"name":"Review contract","userTasks":[{"name":"Read"},{"name":"Sign"}]}""", row.GetRawText());
    }

    [Fact]
    public async Task RelatedRowsCarryTheirContractFields()
    {
        var filter = FilterParser.ParseFilter("""{"where":{"id":"t02"},"include":["userTasks"]}""", EntitySchemas.Task).OrThrow();

        var userTask = Assert.Single((await _resolver.ListAsync(EntityKind.Task, filter))[0].GetProperty("userTasks").EnumerateArray());

        Assert.Equal(["id", "taskId", "name", "status", "externalId", "createdOn", "modifiedOn", "deleted"], userTask.EnumerateObject().Select(p => p.Name));
        Assert.Equal("t02", userTask.GetProperty("taskId").GetString());
    }

    [Fact]
    public async Task GetByIdIncludesToo()
    {
        var filter = FilterParser.ParseFilter("""{"include":[{"relation":"userTasks","scope":{"order":"createdOn DESC"}}]}""", EntitySchemas.Task).OrThrow();

        var row = await _resolver.GetAsync(EntityKind.Task, "t01", filter);

        Assert.Equal("t01:u03,u02,u01", IncludeCases.Describe([row!.Value], "userTasks"));
        Assert.Null(await _resolver.GetAsync(EntityKind.Task, "missing", filter));
    }

    [Fact]
    public async Task WithoutIncludeTheStoresAnswerIsUnchanged()
    {
        var filter = FilterParser.ParseFilter("""{"where":{"key":"review"},"fields":["name"]}""", EntitySchemas.Task).OrThrow();

        var expected = await _store.ListAsync(EntityKind.Task, filter);
        var actual = await _resolver.ListAsync(EntityKind.Task, filter);

        Assert.Equal(expected.Select(r => r.GetRawText()), actual.Select(r => r.GetRawText()));
        Assert.DoesNotContain(actual, r => r.TryGetProperty("userTasks", out JsonElement _));
    }
}
