using System.Net;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

/// <summary>
/// LoopBack filters as LoopBack clients send them: the JSON form and the <c>qs</c> bracket form, on list, count, bulk update
/// and bulk delete routes, and <c>include</c>.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class FilterFormsApiTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task ListAndCountReadTheBracketFormAsTheJsonForm()
    {
        var client = factory.CreateClient(Permissions.ViewTask);
        var key = TaskSeeding.NewKey("brackets");
        await factory.CreateTasksAsync(new { key, name = "alpha" }, new { key, name = "beta" }, new { key, name = "gamma" });
        var k = Uri.EscapeDataString(key);

        var listed = await client.GetJsonAsync($"/tasks?filter[where][key]={k}&filter[where][name][like]=%25a&filter[order][0]=name%20DESC&filter[limit]=5&filter[fields][name]=true");
        Assert.Equal(["gamma", "beta", "alpha"], listed.Values("name"));
        Assert.All(listed.EnumerateArray(), row => Assert.Equal(["name"], row.EnumerateObject().Select(p => p.Name)));

        var or = await client.GetJsonAsync($"/tasks?filter[where][key]={k}&filter[where][or][0][name]=alpha&filter[where][or][1][name]=gamma&filter[order]=name%20ASC");
        Assert.Equal(["alpha", "gamma"], or.Values("name"));

        var inq = await client.GetJsonAsync($"/tasks?filter[where][name][inq]=alpha&filter[where][name][inq]=beta&filter[where][key]={k}&filter[order]=name");
        Assert.Equal(["alpha", "beta"], inq.Values("name"));

        Assert.Equal(2, await client.CountAsync($"/tasks/count?where[key]={k}&where[name][neq]=beta"));
        Assert.Equal(2, await client.CountAsync($"/tasks/count?{JsonApi.Where(new { key, name = new { neq = "beta" } })}"));
    }

    [Fact]
    public async Task BulkUpdateAndDeleteTouchOnlyWhatTheBracketWhereMatches()
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("bulk-brackets");
        await factory.CreateTasksAsync(new { key, name = "keep" }, new { key, name = "change" }, new { key, name = "drop" });
        var k = Uri.EscapeDataString(key);

        var updated = await (await client.PatchJsonAsync($"/tasks?where[key]={k}&where[name]=change", new { notes = "changed" })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, updated.GetProperty("count").GetInt64());
        Assert.Equal(["change"], (await client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key, notes = "changed" } })}")).Values("name"));

        await (await client.DeleteAsync($"/tasks?where[key]={k}&where[name][inq][0]=drop")).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(["change", "keep"], (await client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key }, order = "name" })}")).Values("name"));
    }

    [Theory]
    [InlineData("/tasks?filter={}&filter[limit]=1", "filter")]
    [InlineData("/tasks?filter[limit]=many", "filter")]
    [InlineData("/tasks?filter[wher][key]=x", "filter")]
    [InlineData("/tasks?filter[where][nosuch]=x", "filter")]
    [InlineData("/tasks?filter[where][key]=a&filter[where][key][like]=b", "filter")]
    [InlineData("/tasks?filter[include][0]=subtasks", "filter")]
    [InlineData("/tasks?where[key]=x", "where[key]")]
    [InlineData("/tasks/count?where={}&where[key]=x", "where")]
    [InlineData("/tasks/count?filter[where][key]=x", "filter[where][key]")]
    [InlineData("/tasks/count?wher[key]=x", "wher[key]")]
    public async Task UnreadableOrUnknownFilterParametersAre400NamingTheParameter(string url, string parameter)
    {
        var response = await factory.CreateClient(Permissions.ViewTask).GetAsync(url);

        await response.AssertBadRequestNamingAsync(parameter);
    }

    [Fact]
    public async Task ABulkDeleteWithAnUnreadableBracketWhereDeletesNothing()
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("bulk-bad");
        await factory.CreateTasksAsync(new { key, name = "stays" });

        var response = await client.DeleteAsync($"/tasks?where[key]={Uri.EscapeDataString(key)}&where[nosuch]=1");

        await response.AssertBadRequestNamingAsync("where");
        Assert.Equal(1, await client.CountAsync($"/tasks/count?{JsonApi.Where(new { key })}"));
    }

    [Fact]
    public async Task TasksIncludeTheirUserTasksInBothForms()
    {
        var client = factory.CreateClient(Permissions.ViewTask);
        var key = TaskSeeding.NewKey("include");
        var ids = await factory.CreateTasksAsync(new { key, name = "with" }, new { key, name = "without" });
        await factory.AddUserTasksAsync(ids[0], "first", "second");

        var json = await client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key }, order = "name", include = new object[] { new { relation = "userTasks", scope = new { order = "name DESC", fields = new[] { "name" } } } } })}");
        Assert.Equal(["second", "first"], json[0].GetProperty("userTasks").Values("name"));
        Assert.False(json[1].TryGetProperty("userTasks", out _));

        var brackets = await client.GetJsonAsync($"/tasks?filter[where][key]={Uri.EscapeDataString(key)}&filter[order]=name&filter[include][0][relation]=userTasks&filter[include][0][scope][limit]=1&filter[include][0][scope][order]=name");
        Assert.Equal(["first"], brackets[0].GetProperty("userTasks").Values("name"));

        var byId = await client.GetJsonAsync($"/tasks/{ids[0]}?{JsonApi.Filter(new { include = new[] { "userTasks" } })}");
        Assert.Equal(2, byId.GetProperty("userTasks").GetArrayLength());
    }

    [Fact]
    public async Task WorkflowsIncludeTheirVersions()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, processId) = TestWorkflows.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
        var created = await client.DeployAsync(bpmn);
        var id = created.GetProperty("id").GetString()!;

        var listed = await client.GetJsonAsync($"/workflows?{JsonApi.Filter(new { where = new { externalIdentifier = processId }, include = new[] { "workflowVersions" } })}");

        var version = Assert.Single(Assert.Single(listed.EnumerateArray()).GetProperty("workflowVersions").EnumerateArray());
        Assert.Equal(id, version.GetProperty("workflowId").GetString());
        Assert.Equal(1, version.GetProperty("version").GetInt32());
        var unknown = await client.GetAsync($"/workflows?{JsonApi.Filter(new { include = new[] { "versions" } })}");
        await unknown.AssertBadRequestNamingAsync("filter");
    }
}
