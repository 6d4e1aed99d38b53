using System.Net;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class UserTasksApiTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task ListingUserTasksReturnsOnlyThatTasksUserTasks()
    {
        var client = factory.CreateClient(Permissions.ViewUserTask);
        var (task, other) = await TwoTasksAsync();
        var mine = await factory.AddUserTasksAsync(task, "approve", "sign");
        await factory.AddUserTasksAsync(other, "approve");

        var listed = await client.GetJsonAsync($"/tasks/{task}/user-tasks");

        Assert.Equal(mine.Order(StringComparer.Ordinal), listed.Values("id").Order(StringComparer.Ordinal));
        Assert.All(listed.EnumerateArray(), u =>
        {
            Assert.Equal(task, u.GetProperty("taskId").GetString());
            Assert.Equal("pending", u.GetProperty("status").GetString());
        });
    }

    [Fact]
    public async Task ListingUserTasksHonoursWhereOrderLimitSkipAndFields()
    {
        var client = factory.CreateAdminClient();
        var (task, other) = await TwoTasksAsync();
        var ids = await factory.AddUserTasksAsync(task, "b-review", "a-approve", "c-sign");
        await factory.AddUserTasksAsync(other, "a-approve");
        await (await client.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{ids[2]}/complete")).AssertStatusAsync(HttpStatusCode.NoContent);

        async Task<string[]> NamesAsync(object filter) => (await client.GetJsonAsync($"/tasks/{task}/user-tasks?{JsonApi.Filter(filter)}")).Values("name");

        Assert.Equal(["a-approve", "b-review", "c-sign"], await NamesAsync(new { order = "name ASC" }));
        Assert.Equal(["a-approve", "b-review"], await NamesAsync(new { where = new { status = "pending" }, order = "name ASC" }));
        Assert.Equal(["c-sign"], await NamesAsync(new { where = new { status = new { neq = "pending" } } }));
        Assert.Equal(["b-review", "c-sign"], await NamesAsync(new { where = new { name = new { inq = new[] { "b-review", "c-sign" } } }, order = "name ASC" }));
        Assert.Equal(["a-approve", "b-review"], await NamesAsync(new { where = new { or = new object[] { new { name = new { like = "a-%" } }, new { name = new { like = "%review" } } } }, order = "name ASC" }));
        Assert.Equal(["c-sign", "b-review"], await NamesAsync(new { where = new { createdOn = new { gt = "2000-01-01T00:00:00Z" } }, order = "name DESC", limit = 2 }));
        Assert.Equal(["b-review"], await NamesAsync(new { order = "name ASC", skip = 1, limit = 1 }));

        var projected = await client.GetJsonAsync($"/tasks/{task}/user-tasks?{JsonApi.Filter(new { fields = new[] { "id", "name" } })}");
        Assert.Equal(3, projected.GetArrayLength());
        Assert.All(projected.EnumerateArray(), u => Assert.Equal(["id", "name"], u.EnumerateObject().Select(p => p.Name).Order(StringComparer.Ordinal)));
    }

    [Fact]
    public async Task AWhereNamingAnotherTaskFindsNoUserTasks()
    {
        var client = factory.CreateClient(Permissions.ViewUserTask);
        var (task, other) = await TwoTasksAsync();
        await factory.AddUserTasksAsync(task, "approve");
        await factory.AddUserTasksAsync(other, "approve");

        var listed = await client.GetJsonAsync($"/tasks/{task}/user-tasks?{JsonApi.Filter(new { where = new { taskId = other } })}");
        var count = await client.CountAsync($"/tasks/{task}/user-tasks/count?{JsonApi.Where(new { taskId = other })}");

        Assert.Empty(listed.EnumerateArray());
        Assert.Equal(0, count);
    }

    [Fact]
    public async Task ListingUserTasksOfAnUnknownTaskIs404()
    {
        var response = await factory.CreateClient(Permissions.ViewUserTask).GetAsync($"/tasks/{Guid.NewGuid()}/user-tasks");

        await response.AssertNotFoundAsync();
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"where": {"priority": "high"}}""")]
    [InlineData("""{"where": {"status": {"glob": "p*"}}}""")]
    [InlineData("""{"order": "candidateGroups ASC"}""")]
    public async Task ListingUserTasksWithABadFilterIs400NamingFilter(string filter)
    {
        var (task, _) = await TwoTasksAsync();

        var response = await factory.CreateClient(Permissions.ViewUserTask).GetAsync($"/tasks/{task}/user-tasks?{JsonApi.Filter(filter)}");

        await response.AssertBadRequestNamingAsync("filter");
    }

    [Fact]
    public async Task CountingUserTasksHonoursWhereAndIsLimitedToTheTask()
    {
        var client = factory.CreateAdminClient();
        var (task, other) = await TwoTasksAsync();
        var ids = await factory.AddUserTasksAsync(task, "approve", "sign", "file");
        await factory.AddUserTasksAsync(other, "approve", "sign");
        await (await client.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{ids[0]}/complete")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal(3, await client.CountAsync($"/tasks/{task}/user-tasks/count"));
        Assert.Equal(2, await client.CountAsync($"/tasks/{task}/user-tasks/count?{JsonApi.Where(new { status = "pending" })}"));
        Assert.Equal(1, await client.CountAsync($"/tasks/{task}/user-tasks/count?{JsonApi.Where(new { name = "approve" })}"));
        Assert.Equal(2, await client.CountAsync($"/tasks/{other}/user-tasks/count"));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"priority": "high"}""")]
    public async Task CountingUserTasksWithABadWhereIs400NamingWhere(string where)
    {
        var (task, _) = await TwoTasksAsync();

        var response = await factory.CreateClient(Permissions.ViewUserTask).GetAsync($"/tasks/{task}/user-tasks/count?{JsonApi.Where(where)}");

        await response.AssertBadRequestNamingAsync("where");
    }

    [Fact]
    public async Task CountingUserTasksOfAnUnknownTaskIs404()
    {
        // Listing the user tasks of an unknown task is 404; counting them must agree rather than answer {"count": 0}.
        var response = await factory.CreateClient(Permissions.ViewUserTask).GetAsync($"/tasks/{Guid.NewGuid()}/user-tasks/count");

        await response.AssertNotFoundAsync();
    }

    [Fact]
    public async Task GettingAUserTaskReturnsIt()
    {
        var (task, _) = await TwoTasksAsync();
        var ids = await factory.AddUserTasksAsync(task, "approve");

        var userTask = await factory.CreateClient(Permissions.ViewUserTask).GetJsonAsync($"/tasks/{task}/user-tasks/{ids[0]}");

        Assert.Equal(ids[0], userTask.GetProperty("id").GetString());
        Assert.Equal(task, userTask.GetProperty("taskId").GetString());
        Assert.Equal("approve", userTask.GetProperty("name").GetString());
        Assert.Equal("pending", userTask.GetProperty("status").GetString());
        Assert.StartsWith("ext-", userTask.GetProperty("externalId").GetString());
    }

    [Fact]
    public async Task GettingAUserTaskWithFieldsReturnsOnlyThoseFieldsAndRefusesAWhere()
    {
        var client = factory.CreateClient(Permissions.ViewUserTask);
        var (task, _) = await TwoTasksAsync();
        var ids = await factory.AddUserTasksAsync(task, "approve");

        var projected = await client.GetJsonAsync($"/tasks/{task}/user-tasks/{ids[0]}?{JsonApi.Filter(new { fields = new[] { "name" } })}");
        Assert.Equal(["name"], projected.EnumerateObject().Select(p => p.Name));

        var withWhere = await client.GetAsync($"/tasks/{task}/user-tasks/{ids[0]}?{JsonApi.Filter(new { where = new { name = "approve" } })}");
        await withWhere.AssertBadRequestNamingAsync("filter");
    }

    [Fact]
    public async Task GettingAnotherTasksUserTaskIs404()
    {
        var (task, other) = await TwoTasksAsync();
        var othersUserTask = (await factory.AddUserTasksAsync(other, "approve"))[0];

        var response = await factory.CreateClient(Permissions.ViewUserTask).GetAsync($"/tasks/{task}/user-tasks/{othersUserTask}");

        await response.AssertNotFoundAsync();
    }

    [Fact]
    public async Task GettingAnUnknownUserTaskIs404()
    {
        var (task, _) = await TwoTasksAsync();

        var response = await factory.CreateClient(Permissions.ViewUserTask).GetAsync($"/tasks/{task}/user-tasks/{Guid.NewGuid()}");

        await response.AssertNotFoundAsync();
    }

    // ---- complete ----

    [Fact]
    public async Task CompletingAUserTaskMarksItCompletedAndTheTaskInProgress()
    {
        var client = factory.CreateAdminClient();
        var (task, _) = await TwoTasksAsync();
        var ids = await factory.AddUserTasksAsync(task, "approve", "sign");

        var response = await client.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{ids[0]}/complete", """{"variables": {"approved": true}}""");

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal("completed", (await client.GetJsonAsync($"/tasks/{task}/user-tasks/{ids[0]}")).GetProperty("status").GetString());
        Assert.Equal("pending", (await client.GetJsonAsync($"/tasks/{task}/user-tasks/{ids[1]}")).GetProperty("status").GetString());
        Assert.Equal("in progress", (await client.GetJsonAsync($"/tasks/{task}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task CompletingWithoutABodyIsAllowed()
    {
        var client = factory.CreateAdminClient();
        var (task, _) = await TwoTasksAsync();
        var ids = await factory.AddUserTasksAsync(task, "approve");

        await (await client.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{ids[0]}/complete")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal("completed", (await client.GetJsonAsync($"/tasks/{task}/user-tasks/{ids[0]}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task CompletingAnotherTasksUserTaskIsRejected()
    {
        var client = factory.CreateAdminClient();
        var (task, other) = await TwoTasksAsync();
        var othersUserTask = (await factory.AddUserTasksAsync(other, "approve"))[0];

        var response = await client.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{othersUserTask}/complete");

        await response.AssertNotFoundAsync();
        Assert.Equal("pending", (await client.GetJsonAsync($"/tasks/{other}/user-tasks/{othersUserTask}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task CompletingAnAlreadyCompletedUserTaskIs409()
    {
        var client = factory.CreateAdminClient();
        var (task, _) = await TwoTasksAsync();
        var ids = await factory.AddUserTasksAsync(task, "approve");
        await (await client.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{ids[0]}/complete")).AssertStatusAsync(HttpStatusCode.NoContent);

        var again = await client.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{ids[0]}/complete");

        await again.AssertProblemAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task CompletingAUserTaskOfAnUnknownTaskOrAnUnknownUserTaskIs404()
    {
        var client = factory.CreateClient(Permissions.CompleteUserTask);
        var (task, _) = await TwoTasksAsync();

        await (await client.SendAsync("PATCH", $"/tasks/{Guid.NewGuid()}/user-tasks/{Guid.NewGuid()}/complete")).AssertNotFoundAsync();
        await (await client.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{Guid.NewGuid()}/complete")).AssertNotFoundAsync();
    }

    [Theory]
    [InlineData("""{"variables": [1]}""", "variables")]
    [InlineData("""{"variables": "approved"}""", "variables")]
    [InlineData("""{"vars": {}}""", "vars")]
    [InlineData("not json", "body")]
    public async Task CompletingWithABadBodyIs400NamingTheFieldAndLeavesTheUserTaskPending(string body, string field)
    {
        var client = factory.CreateAdminClient();
        var (task, _) = await TwoTasksAsync();
        var ids = await factory.AddUserTasksAsync(task, "approve");

        var response = await client.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{ids[0]}/complete", body);

        await response.AssertBadRequestNamingAsync(field);
        Assert.Equal("pending", (await client.GetJsonAsync($"/tasks/{task}/user-tasks/{ids[0]}")).GetProperty("status").GetString());
    }

    // ---- delete ----

    [Fact]
    public async Task DeletingAUserTaskRemovesOnlyThatOne()
    {
        var client = factory.CreateAdminClient();
        var (task, _) = await TwoTasksAsync();
        var ids = await factory.AddUserTasksAsync(task, "approve", "sign");

        await (await client.DeleteAsync($"/tasks/{task}/user-tasks/{ids[0]}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal([ids[1]], (await client.GetJsonAsync($"/tasks/{task}/user-tasks")).Values("id"));
        await (await client.DeleteAsync($"/tasks/{task}/user-tasks/{ids[0]}")).AssertNotFoundAsync();
    }

    [Fact]
    public async Task DeletingAnotherTasksUserTaskIs404AndItSurvives()
    {
        var client = factory.CreateAdminClient();
        var (task, other) = await TwoTasksAsync();
        await factory.AddUserTasksAsync(task, "approve");
        var othersUserTask = (await factory.AddUserTasksAsync(other, "approve"))[0];

        var response = await client.DeleteAsync($"/tasks/{task}/user-tasks/{othersUserTask}");

        await response.AssertNotFoundAsync();
        Assert.Equal([othersUserTask], (await client.GetJsonAsync($"/tasks/{other}/user-tasks")).Values("id"));
    }

    [Fact]
    public async Task DeletingAUserTaskOfAnUnknownTaskIs404()
    {
        var response = await factory.CreateClient(Permissions.DeleteUserTask).DeleteAsync($"/tasks/{Guid.NewGuid()}/user-tasks/{Guid.NewGuid()}");

        await response.AssertNotFoundAsync();
    }

    [Fact]
    public async Task DeletingUserTasksByWhereIsLimitedToTheTask()
    {
        var client = factory.CreateAdminClient();
        var (task, other) = await TwoTasksAsync();
        var ids = await factory.AddUserTasksAsync(task, "approve", "sign");
        var othersUserTasks = await factory.AddUserTasksAsync(other, "approve", "sign");

        await (await client.DeleteAsync($"/tasks/{task}/user-tasks?{JsonApi.Where(new { name = "approve" })}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal([ids[1]], (await client.GetJsonAsync($"/tasks/{task}/user-tasks")).Values("id"));
        Assert.Equal(othersUserTasks.Order(StringComparer.Ordinal), (await client.GetJsonAsync($"/tasks/{other}/user-tasks")).Values("id").Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task DeletingUserTasksWithAWhereNamingAnotherTaskDeletesNothing()
    {
        var client = factory.CreateAdminClient();
        var (task, other) = await TwoTasksAsync();
        var ids = await factory.AddUserTasksAsync(task, "approve");
        var othersUserTasks = await factory.AddUserTasksAsync(other, "approve");

        await (await client.DeleteAsync($"/tasks/{task}/user-tasks?{JsonApi.Where(new { taskId = other })}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal(ids, (await client.GetJsonAsync($"/tasks/{task}/user-tasks")).Values("id"));
        Assert.Equal(othersUserTasks, (await client.GetJsonAsync($"/tasks/{other}/user-tasks")).Values("id"));
    }

    [Fact]
    public async Task DeletingUserTasksWithoutWhereDeletesAllOfThatTasksUserTasksOnly()
    {
        var client = factory.CreateAdminClient();
        var (task, other) = await TwoTasksAsync();
        await factory.AddUserTasksAsync(task, "approve", "sign");
        var othersUserTasks = await factory.AddUserTasksAsync(other, "approve");

        await (await client.DeleteAsync($"/tasks/{task}/user-tasks")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Empty((await client.GetJsonAsync($"/tasks/{task}/user-tasks")).EnumerateArray());
        Assert.Equal(othersUserTasks, (await client.GetJsonAsync($"/tasks/{other}/user-tasks")).Values("id"));
        await (await client.GetAsync($"/tasks/{task}")).AssertStatusAsync(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("", "empty")]
    [InlineData("null", "null")]
    public async Task DeletingUserTasksWithAnEmptyOrNullWhereIs400AndDeletesNothing(string where, string given)
    {
        var client = factory.CreateAdminClient();
        var (task, _) = await TwoTasksAsync();
        await factory.AddUserTasksAsync(task, "approve", "sign");

        var problem = await (await client.DeleteAsync($"/tasks/{task}/user-tasks?where={where}")).AssertBadRequestNamingAsync("where");

        Assert.Equal($"The 'where' parameter is {given}; give a condition, or where={{}} to match every user task of the task.", problem.GetProperty("detail").GetString());
        Assert.Equal(2, await factory.StoredUserTaskCountAsync(task));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"priority": "high"}""")]
    public async Task DeletingUserTasksWithABadWhereIs400NamingWhere(string where)
    {
        var (task, _) = await TwoTasksAsync();
        await factory.AddUserTasksAsync(task, "approve");

        var response = await factory.CreateClient(Permissions.DeleteUserTask).DeleteAsync($"/tasks/{task}/user-tasks?{JsonApi.Where(where)}");

        await response.AssertBadRequestNamingAsync("where");
        Assert.Equal(1, await factory.StoredUserTaskCountAsync(task));
    }

    [Fact]
    public async Task DeletingUserTasksByWhereOfAnUnknownTaskIs404()
    {
        // Every other route under /tasks/{taskId}/user-tasks answers 404 for an unknown task.
        var response = await factory.CreateClient(Permissions.DeleteUserTask).DeleteAsync($"/tasks/{Guid.NewGuid()}/user-tasks?{JsonApi.Where(new { name = "x" })}");

        await response.AssertNotFoundAsync();
    }

    [Theory]
    [InlineData("GET", "/tasks/{key}/user-tasks", Permissions.ViewUserTask, null)]
    [InlineData("GET", "/tasks/{key}/user-tasks/count", Permissions.ViewUserTask, null)]
    [InlineData("GET", "/tasks/{key}/user-tasks/{key}", Permissions.ViewUserTask, null)]
    [InlineData("PATCH", "/tasks/{key}/user-tasks/{key}/complete", Permissions.CompleteUserTask, null)]
    [InlineData("DELETE", "/tasks/{key}/user-tasks/{key}", Permissions.DeleteUserTask, null)]
    [InlineData("DELETE", "/tasks/{key}/user-tasks?where=%7B%7D", Permissions.DeleteUserTask, null)]
    public async Task UserTaskEndpointsNeedTheirPermission(string method, string path, string code, string? body) =>
        await PermissionChecks.AssertRequiresAsync(factory, code, PermissionChecks.Row(method, path, body));

    /// <summary>Two tasks created by one create-tasks run; returns their ids.</summary>
    private async Task<(string Task, string Other)> TwoTasksAsync()
    {
        var key = TaskSeeding.NewKey("user-tasks");
        var ids = await factory.CreateTasksAsync(new { key, name = "task" }, new { key, name = "other" });
        return (ids[0], ids[1]);
    }
}
