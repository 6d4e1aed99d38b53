using System.Net;
using System.Text.Json;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class EventMappingApiTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task AddingAnEventMappingAnswers201WithTheMapping()
    {
        var client = factory.CreateClient(Permissions.MapTask);
        var eventKey = TaskSeeding.NewKey("evt");

        var response = await client.PostJsonAsync("/events/mapping", new { eventKey, workflowKey = "onboarding" });

        var mapping = await response.ReadJsonAsync(HttpStatusCode.Created);
        var id = mapping.GetProperty("id").GetString();
        Assert.False(string.IsNullOrWhiteSpace(id));
        Assert.Equal(eventKey, mapping.GetProperty("eventKey").GetString());
        Assert.Equal("onboarding", mapping.GetProperty("workflowKey").GetString());
        Assert.True(mapping.TryGetProperty("createdOn", out _), mapping.ToString());
        Assert.Equal($"/events/mapping/{id}", response.Headers.Location?.OriginalString);
    }

    [Fact]
    public async Task AddingTheSameEventMappingTwiceKeepsOneMapping()
    {
        var client = factory.CreateClient(Permissions.MapTask);
        var eventKey = TaskSeeding.NewKey("evt");

        var first = await (await client.PostJsonAsync("/events/mapping", new { eventKey, workflowKey = "w" })).ReadJsonAsync(HttpStatusCode.Created);
        var second = await (await client.PostJsonAsync("/events/mapping", new { eventKey, workflowKey = "w" })).ReadJsonAsync(HttpStatusCode.Created);

        Assert.Equal(first.GetProperty("id").GetString(), second.GetProperty("id").GetString());
        var listed = await client.GetJsonAsync($"/events/mapping?{JsonApi.Filter(new { where = new { eventKey } })}");
        Assert.Single(listed.EnumerateArray());
    }

    [Fact]
    public async Task ListingEventMappingsHonoursWhereOrderAndFields()
    {
        var client = factory.CreateClient(Permissions.MapTask);
        var eventKey = TaskSeeding.NewKey("evt");
        var otherKey = TaskSeeding.NewKey("evt");
        foreach (var (key, workflow) in new[] { (eventKey, "alpha"), (eventKey, "beta"), (otherKey, "alpha") })
        {
            await (await client.PostJsonAsync("/events/mapping", new { eventKey = key, workflowKey = workflow })).AssertStatusAsync(HttpStatusCode.Created);
        }

        var mine = await client.GetJsonAsync($"/events/mapping?{JsonApi.Filter(new { where = new { eventKey }, order = "workflowKey DESC" })}");
        Assert.Equal(["beta", "alpha"], mine.Values("workflowKey"));
        Assert.All(mine.EnumerateArray(), m => Assert.Equal(eventKey, m.GetProperty("eventKey").GetString()));

        var both = await client.GetJsonAsync($"/events/mapping?{JsonApi.Filter(new { where = new { eventKey = new { inq = new[] { eventKey, otherKey } }, workflowKey = "alpha" } })}");
        Assert.Equal(new[] { eventKey, otherKey }.Order(StringComparer.Ordinal), both.Values("eventKey").Order(StringComparer.Ordinal));

        var projected = await client.GetJsonAsync($"/events/mapping?{JsonApi.Filter(new { where = new { eventKey }, fields = new { workflowKey = true } })}");
        Assert.All(projected.EnumerateArray(), m => Assert.Equal(["workflowKey"], m.EnumerateObject().Select(p => p.Name)));
    }

    [Fact]
    public async Task DeletingAnEventMappingAnswers204AndRemovesIt()
    {
        var client = factory.CreateClient(Permissions.MapTask);
        var eventKey = TaskSeeding.NewKey("evt");
        var id = (await (await client.PostJsonAsync("/events/mapping", new { eventKey, workflowKey = "w" })).ReadJsonAsync(HttpStatusCode.Created))
            .GetProperty("id").GetString();

        await (await client.DeleteAsync($"/events/mapping/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Empty((await client.GetJsonAsync($"/events/mapping?{JsonApi.Filter(new { where = new { eventKey } })}")).EnumerateArray());
        await (await client.DeleteAsync($"/events/mapping/{id}")).AssertNotFoundAsync();
    }

    [Fact]
    public async Task DeletingAnUnknownEventMappingIs404()
    {
        var response = await factory.CreateClient(Permissions.MapTask).DeleteAsync($"/events/mapping/{Guid.NewGuid()}");

        await response.AssertNotFoundAsync();
    }

    [Theory]
    [InlineData("""{"workflowKey": "w"}""", "eventKey")]
    [InlineData("""{"eventKey": "e"}""", "workflowKey")]
    [InlineData("""{"eventKey": " ", "workflowKey": "w"}""", "eventKey")]
    [InlineData("""{"eventKey": "e", "workflowKey": "w", "workflow": "x"}""", "workflow")]
    [InlineData("""{"eventKey": ["e"], "workflowKey": "w"}""", "eventKey")]
    [InlineData("{\"eventKey\": ", "eventKey")]
    [InlineData("not json", "body")]
    [InlineData("", "body")]
    public async Task AddingAnEventMappingWithABadBodyIs400NamingTheField(string body, string field)
    {
        var response = await factory.CreateClient(Permissions.MapTask).SendAsync("POST", "/events/mapping", body);

        await response.AssertBadRequestNamingAsync(field);
    }

    [Theory]
    [InlineData("""{"where": {"taskKey": "x"}}""")]
    [InlineData("""{"where": {"eventKey": {"between": "x"}}}""")]
    [InlineData("""{"order": "eventKey SIDEWAYS"}""")]
    public async Task ListingEventMappingsWithABadFilterIs400NamingFilter(string filter)
    {
        var response = await factory.CreateClient(Permissions.MapTask).GetAsync($"/events/mapping?{JsonApi.Filter(filter)}");

        await response.AssertBadRequestNamingAsync("filter");
    }

    [Fact]
    public async Task AMappedEventIsRecordedEvenWhenItsWorkflowCannotStart()
    {
        var client = factory.CreateAdminClient();
        var eventKey = TaskSeeding.NewKey("mapped");
        await (await client.PostJsonAsync("/events/mapping", new { eventKey, workflowKey = TaskSeeding.NewKey("no-such-workflow") }))
            .AssertStatusAsync(HttpStatusCode.Created);
        var id = TaskSeeding.NewKey("event");

        await (await client.PostJsonAsync("/events/trigger", new { key = eventKey, id, payload = new { a = 1 } })).AssertStatusAsync(HttpStatusCode.Accepted);

        var recorded = await Eventually.ReturnsAsync(() => client.GetAsync($"/events/{id}"), r => r.StatusCode == HttpStatusCode.OK);
        Assert.Equal(eventKey, (await recorded.ReadJsonAsync(HttpStatusCode.OK)).GetProperty("key").GetString());
    }

    [Theory]
    [InlineData("POST", "/events/mapping", """{"eventKey": "{key}", "workflowKey": "w"}""")]
    [InlineData("GET", "/events/mapping", null)]
    [InlineData("DELETE", "/events/mapping/{key}", null)]
    public async Task EventMappingEndpointsNeedPermission16006(string method, string path, string? body) =>
        await PermissionChecks.AssertRequiresAsync(factory, Permissions.MapTask, PermissionChecks.Row(method, path, body));
}
