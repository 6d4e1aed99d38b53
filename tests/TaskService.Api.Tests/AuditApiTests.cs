using System.Net;
using Microsoft.Extensions.DependencyInjection;
using TaskService.Gateway.Auth;
using TaskService.Storage;

namespace TaskService.Api.Tests;

/// <summary>
/// The audit fields and soft delete of tasks and user tasks, as the original's models have them: who changed a row comes
/// from the token's <c>sub</c>; a deleted row stays, marked deleted with when and by whom, and no read returns it.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class AuditApiTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task PatchingATaskRecordsTheTokensUserAsModifiedBy()
    {
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("audit-patch"), name = "a" });
        var client = factory.CreateClientFor("user-17", [.. Permissions.All]);

        await (await client.PatchJsonAsync($"/tasks/{ids[0]}", new { priority = "high" })).AssertStatusAsync(HttpStatusCode.NoContent);

        var task = await client.GetJsonAsync($"/tasks/{ids[0]}");
        Assert.Equal("user-17", task.GetProperty("modifiedBy").GetString());
        Assert.False(task.GetProperty("deleted").GetBoolean());
        Assert.Equal(1, await client.CountAsync($"/tasks/count?{JsonApi.Where(new { id = ids[0], modifiedBy = "user-17" })}"));
    }

    [Fact]
    public async Task PatchingTasksByWhereRecordsTheTokensUserOnEachMatch()
    {
        var key = TaskSeeding.NewKey("audit-bulk");
        await factory.CreateTasksAsync(new { key, name = "a" }, new { key, name = "b" });
        var client = factory.CreateClientFor("bulk-user", [.. Permissions.All]);

        await (await client.PatchJsonAsync($"/tasks?{JsonApi.Where(new { key })}", new { notes = "n" })).AssertStatusAsync(HttpStatusCode.OK);

        Assert.Equal(["bulk-user", "bulk-user"], (await client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key } })}")).Values("modifiedBy"));
    }

    [Fact]
    public async Task CompletingAUserTaskRecordsTheTokensUserOnTheUserTaskAndItsTask()
    {
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("audit-complete"), name = "a" });
        var userTasks = await factory.AddUserTasksAsync(ids[0], "approve");
        var client = factory.CreateClientFor("approver", [.. Permissions.All]);

        await (await client.PatchJsonAsync($"/tasks/{ids[0]}/user-tasks/{userTasks[0]}/complete", new { })).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal("approver", (await client.GetJsonAsync($"/tasks/{ids[0]}/user-tasks/{userTasks[0]}")).GetProperty("modifiedBy").GetString());
        Assert.Equal("approver", (await client.GetJsonAsync($"/tasks/{ids[0]}")).GetProperty("modifiedBy").GetString());
    }

    [Fact]
    public async Task ADeletedTaskIsHiddenFromGetListCountAndBulkRoutes()
    {
        var key = TaskSeeding.NewKey("audit-delete");
        var ids = await factory.CreateTasksAsync(new { key, name = "deleted" }, new { key, name = "kept" });
        var client = factory.CreateClientFor("deleter", [.. Permissions.All]);

        await (await client.DeleteAsync($"/tasks/{ids[0]}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await client.GetAsync($"/tasks/{ids[0]}")).AssertNotFoundAsync();
        Assert.Equal([ids[1]], (await client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key } })}")).Values("id"));
        Assert.Equal(1, await client.CountAsync($"/tasks/count?{JsonApi.Where(new { key })}"));
        Assert.Equal(0, await client.CountAsync($"/tasks/count?{JsonApi.Where(new { key, deleted = true })}"));
        await (await client.PatchJsonAsync($"/tasks/{ids[0]}", new { notes = "x" })).AssertNotFoundAsync();
        await (await client.DeleteAsync($"/tasks/{ids[0]}")).AssertNotFoundAsync();
        var updated = await (await client.PatchJsonAsync($"/tasks?{JsonApi.Where(new { key })}", new { notes = "n" })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(1, updated.GetProperty("count").GetInt64());
    }

    [Fact]
    public async Task ADeletedUserTaskIsKeptMarkedWithWhenAndByWhomAndHiddenFromReads()
    {
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("audit-user-task"), name = "a" });
        var userTasks = await factory.AddUserTasksAsync(ids[0], "approve", "sign");
        var client = factory.CreateClientFor("remover", [.. Permissions.All]);

        await (await client.DeleteAsync($"/tasks/{ids[0]}/user-tasks/{userTasks[0]}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await client.GetAsync($"/tasks/{ids[0]}/user-tasks/{userTasks[0]}")).AssertNotFoundAsync();
        Assert.Equal([userTasks[1]], (await client.GetJsonAsync($"/tasks/{ids[0]}/user-tasks")).Values("id"));
        Assert.Equal(1, await client.CountAsync($"/tasks/{ids[0]}/user-tasks/count"));
        var included = await client.GetJsonAsync($"/tasks/{ids[0]}?{JsonApi.Filter(new { include = new[] { "userTasks" } })}");
        Assert.Equal([userTasks[1]], included.GetProperty("userTasks").Values("id"));
        await (await client.PatchJsonAsync($"/tasks/{ids[0]}/user-tasks/{userTasks[0]}/complete", new { })).AssertNotFoundAsync();

        var stored = await factory.Services.GetRequiredService<ITaskServiceStore>().LoadTaskAsync(ids[0]);
        var deleted = Assert.Single(stored!.UserTasks, u => u.Id == userTasks[0]);
        Assert.True(deleted.Deleted);
        Assert.Equal("remover", deleted.DeletedBy);
        Assert.NotNull(deleted.DeletedOn);
    }

    [Fact]
    public async Task DeletingATaskWithCascadeFalseCountsOnlyLiveUserTasks()
    {
        var ids = await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("audit-cascade"), name = "a" });
        var userTasks = await factory.AddUserTasksAsync(ids[0], "approve");
        var client = factory.CreateAdminClient();
        await (await client.DeleteAsync($"/tasks/{ids[0]}/user-tasks/{userTasks[0]}")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await client.DeleteAsync($"/tasks/{ids[0]}?cascade=false")).AssertStatusAsync(HttpStatusCode.NoContent);

        await (await client.GetAsync($"/tasks/{ids[0]}")).AssertNotFoundAsync();
    }
}
