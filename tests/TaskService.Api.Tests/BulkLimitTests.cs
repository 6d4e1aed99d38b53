using System.Net;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

/// <summary>A bulk PATCH or DELETE whose <c>where</c> matches more rows than TaskService:Limits:MaxBulkRows is refused whole.</summary>
public sealed class BulkLimitTests(BulkLimitApiFactory factory) : IClassFixture<BulkLimitApiFactory>
{
    [Theory]
    [InlineData("DELETE")]
    [InlineData("PATCH")]
    public async Task ABulkTaskChangeMatchingMoreThanTheLimitIs400AndChangesNothing(string method)
    {
        var client = factory.CreateAdminClient();
        var key = TaskSeeding.NewKey("over-limit");
        var ids = await factory.CreateTasksAsync(Enumerable.Range(0, BulkLimitApiFactory.MaxBulkRows + 1).Select(i => (object)new { key = $"{key}-{i}", name = "untouched" }).ToArray());
        var where = JsonApi.Where(new { key = new { like = $"{key}-%" } });

        var response = method == "DELETE" ? await client.DeleteAsync($"/tasks?{where}") : await client.PatchJsonAsync($"/tasks?{where}", new { name = "changed" });

        var problem = await response.AssertBadRequestNamingAsync("where");
        Assert.Contains($"matches more than {BulkLimitApiFactory.MaxBulkRows} tasks", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
        foreach (var id in ids)
        {
            Assert.Equal("untouched", (await client.GetJsonAsync($"/tasks/{id}")).GetProperty("name").GetString());
        }
    }

    [Theory]
    [InlineData("?where=%7B%7D")]
    [InlineData("")]
    public async Task DeletingMoreUserTasksThanTheLimitIs400AndDeletesNothing(string query)
    {
        var client = factory.CreateClient(Permissions.DeleteUserTask);
        var task = (await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("user-tasks-over-limit"), name = "n" }))[0];
        await factory.AddUserTasksAsync(task, "a", "b", "c", "d");

        var problem = await (await client.DeleteAsync($"/tasks/{task}/user-tasks{query}")).AssertBadRequestNamingAsync("where");

        Assert.Equal(
            $"The 'where' parameter matches more than {BulkLimitApiFactory.MaxBulkRows} user tasks of the task; narrow it and repeat (TaskService:Limits:MaxBulkRows). Nothing was changed.",
            problem.GetProperty("detail").GetString());
        Assert.Equal(4, await factory.StoredUserTaskCountAsync(task));
    }

    [Fact]
    public async Task DeletingAsManyUserTasksAsTheLimitDeletesThemAll()
    {
        var client = factory.CreateClient(Permissions.DeleteUserTask);
        var task = (await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("user-tasks-at-limit"), name = "n" }))[0];
        await factory.AddUserTasksAsync(task, "a", "b", "c");

        await (await client.DeleteAsync($"/tasks/{task}/user-tasks?where=%7B%7D")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal(0, await factory.StoredUserTaskCountAsync(task));
    }
}
