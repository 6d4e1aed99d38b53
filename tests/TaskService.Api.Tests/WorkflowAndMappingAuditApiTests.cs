using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TaskService.Common;
using TaskService.Storage;

namespace TaskService.Api.Tests;

/// <summary>
/// The audit fields and soft delete of workflows, event mappings and task mappings, as the original's models have them: who
/// created or changed a row comes from the token's <c>sub</c>; a deleted row is hidden from every read, and its keys (a
/// workflow's process id, a mapping's pair of keys) can be used again.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class WorkflowAndMappingAuditApiTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task AWorkflowRecordsWhoCreatedAndWhoChangedIt()
    {
        var (bpmn, processId) = TestWorkflows.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
        var created = await factory.CreateClientFor("author", TestWorkflows.AllPermissions).DeployAsync(bpmn);
        var id = created.GetProperty("id").GetString();
        Assert.Equal("author", created.GetProperty("createdBy").GetString());
        Assert.False(created.GetProperty("deleted").GetBoolean());

        var editor = factory.CreateClientFor("editor", TestWorkflows.AllPermissions);
        await (await editor.PatchJsonAsync($"/workflows/{id}", new { description = "changed" })).AssertStatusAsync(HttpStatusCode.NoContent);

        var read = await editor.GetJsonAsync($"/workflows/{id}");
        Assert.Equal("author", read.GetProperty("createdBy").GetString());
        Assert.Equal("editor", read.GetProperty("modifiedBy").GetString());
        Assert.Equal(["author"], (await editor.GetJsonAsync($"/workflows?{JsonApi.Filter(new { where = new { externalIdentifier = processId, modifiedBy = "editor" } })}")).Values("createdBy"));
    }

    [Fact]
    public async Task ADeletedWorkflowIsHiddenFromEveryReadAndItsProcessIdCanBeDeployedAgain()
    {
        var (bpmn, processId) = TestWorkflows.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
        var client = factory.CreateClientFor("remover", TestWorkflows.AllPermissions);
        var id = (await client.DeployAsync(bpmn)).GetProperty("id").GetString();
        var mine = JsonApi.Filter(new { where = new { externalIdentifier = processId } });

        await (await client.DeleteAsync($"/workflows/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await client.GetAsync($"/workflows/{id}")).AssertNotFoundAsync();
        Assert.Empty((await client.GetJsonAsync($"/workflows?{mine}")).EnumerateArray());
        Assert.Empty((await client.GetJsonAsync($"/workflows?{JsonApi.Filter(new { where = new { id, deleted = true } })}")).EnumerateArray());
        await (await client.PatchJsonAsync($"/workflows/{id}", new { description = "x" })).AssertNotFoundAsync();
        await (await client.PostJsonAsync($"/workflows/{id}/execute", new { input = new { } })).AssertNotFoundAsync();
        await (await client.DeleteAsync($"/workflows/{id}")).AssertNotFoundAsync();

        // The same process id deploys as a new workflow, which the process id's mappings now start.
        var again = await client.DeployAsync(bpmn);
        Assert.NotEqual(id, again.GetProperty("id").GetString());
        Assert.Equal([again.GetProperty("id").GetString()!], (await client.GetJsonAsync($"/workflows?{mine}")).Values("id"));
    }

    [Fact]
    public async Task AMappingRecordsWhoCreatedItAndADeletedMappingIsHiddenAndItsKeysCanBeMappedAgain()
    {
        foreach (var (path, keyField) in new[] { ("/events/mapping", "eventKey"), ("/tasks/mapping", "taskKey") })
        {
            var key = TaskSeeding.NewKey("audit-mapping");
            var body = new Dictionary<string, string> { [keyField] = key, ["workflowKey"] = "some-process" };
            var mapper = factory.CreateClientFor("mapper", [.. Gateway.Auth.Permissions.All]);
            var first = await (await mapper.PostJsonAsync(path, body)).ReadJsonAsync(HttpStatusCode.Created);
            var firstId = first.GetProperty("id").GetString();
            Assert.Equal("mapper", first.GetProperty("createdBy").GetString());
            Assert.Equal("mapper", first.GetProperty("modifiedBy").GetString());

            // Mapping the same keys again answers the live mapping.
            Assert.Equal(firstId, (await (await mapper.PostJsonAsync(path, body)).ReadJsonAsync(HttpStatusCode.Created)).GetProperty("id").GetString());

            var remover = factory.CreateClientFor("remover", [.. Gateway.Auth.Permissions.All]);
            await (await remover.DeleteAsync($"{path}/{firstId}")).AssertStatusAsync(HttpStatusCode.NoContent);
            await (await remover.DeleteAsync($"{path}/{firstId}")).AssertNotFoundAsync();
            var mine = JsonApi.Filter(new Dictionary<string, object> { ["where"] = new Dictionary<string, string> { [keyField] = key } });
            Assert.Empty((await remover.GetJsonAsync($"{path}?{mine}")).EnumerateArray());
            Assert.Empty((await remover.GetJsonAsync($"{path}?{JsonApi.Filter(new { where = new { id = firstId, deleted = true } })}")).EnumerateArray());

            var second = await (await mapper.PostJsonAsync(path, body)).ReadJsonAsync(HttpStatusCode.Created);
            Assert.NotEqual(firstId, second.GetProperty("id").GetString());
            Assert.Equal([second.GetProperty("id").GetString()!], (await remover.GetJsonAsync($"{path}?{mine}")).Values("id"));
        }
    }

    [Fact]
    public async Task ADeletedEventMappingNoLongerStartsItsWorkflow()
    {
        var (bpmn, processId) = TestWorkflows.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var workflowId = (await client.DeployAsync(bpmn)).GetProperty("id").GetString();
        var eventKey = TaskSeeding.NewKey("audit-routing");
        var mapping = await (await client.PostJsonAsync("/events/mapping", new { eventKey, workflowKey = processId })).ReadJsonAsync(HttpStatusCode.Created);
        await (await client.DeleteAsync($"/events/mapping/{mapping.GetProperty("id").GetString()}")).AssertStatusAsync(HttpStatusCode.NoContent);

        var trigger = factory.CreateClient("16007");
        var eventId = (await (await trigger.PostJsonAsync("/events/trigger", new { key = eventKey, payload = new { } })).ReadJsonAsync(HttpStatusCode.Accepted)).GetProperty("id").GetString();

        // Routed means the router looked the mappings up and started what they name: here nothing.
        var store = factory.Services.GetRequiredService<ITaskServiceStore>();
        await Eventually.ReturnsAsync(
            () => store.GetUnroutedEventsAsync(DateTimeOffset.UtcNow.AddHours(1), 10_000),
            unrouted => unrouted.All(e => e.Id != eventId), because: "the event is routed");
        Assert.Equal(0, await client.CountAsync($"/workflow-instances/count?{JsonApi.Where(new { workflowId })}"));
    }

    [Fact]
    public async Task TasksAndUserTasksThatWorkflowsCreateNameTheSystemAsTheirCreator()
    {
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("audit-system"), name = "a" });
        var userTasks = await factory.AddUserTasksAsync(ids[0], "approve");
        var client = factory.CreateAdminClient();

        var task = await client.GetJsonAsync($"/tasks/{ids[0]}");
        Assert.Equal(AuditUsers.System, task.GetProperty("createdBy").GetString());
        Assert.Equal(AuditUsers.System, (await client.GetJsonAsync($"/tasks/{ids[0]}/user-tasks/{userTasks[0]}")).GetProperty("createdBy").GetString());

        await factory.EndTaskAsync(ids[0]);
        Assert.Equal(AuditUsers.System, (await client.GetJsonAsync($"/tasks/{ids[0]}")).GetProperty("modifiedBy").GetString());
    }
}
