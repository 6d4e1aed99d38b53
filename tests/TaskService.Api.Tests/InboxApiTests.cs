using System.Net;
using System.Text.Json;
using TaskService.Gateway.Auth;
using TaskService.Tasks;

namespace TaskService.Api.Tests;

/// <summary>The user-task inbox, claim, unclaim and assign, form checks on completion, and the task history.</summary>
[Collection(ApiCollection.Name)]
public sealed class InboxApiTests(TaskServiceApiFactory factory)
{
    private static readonly string[] Worker = [Permissions.ViewUserTask, Permissions.ClaimUserTask, Permissions.CompleteUserTask];

    [Fact]
    public async Task TwoUsersClaimingTheSameUserTaskAtOnceOneWinsAndTheOtherGets409()
    {
        var taskId = await NewTaskAsync();
        var userTaskIds = await AddAsync(taskId, Enumerable.Range(0, 5).Select(i => new NewUserTask { ExternalId = $"ext-{i}", Name = $"step {i}" }).ToArray());
        var ann = factory.CreateClientFor(Unique("ann"), Worker);
        var ben = factory.CreateClientFor(Unique("ben"), Worker);

        foreach (var userTaskId in userTaskIds)
        {
            var url = $"/tasks/{taskId}/user-tasks/{userTaskId}/claim";
            var answers = await Task.WhenAll(ann.SendAsync("POST", url), ben.SendAsync("POST", url));

            Assert.Equal([HttpStatusCode.OK, HttpStatusCode.Conflict], answers.Select(a => a.StatusCode).Order());
            var winner = await answers.Single(a => a.StatusCode == HttpStatusCode.OK).ReadJsonAsync(HttpStatusCode.OK);
            var loser = await answers.Single(a => a.StatusCode == HttpStatusCode.Conflict).AssertProblemAsync(HttpStatusCode.Conflict);
            var stored = await factory.CreateAdminClient().GetJsonAsync($"/tasks/{taskId}/user-tasks/{userTaskId}");
            Assert.Equal(winner.GetProperty("assignee").GetString(), stored.GetProperty("assignee").GetString());
            Assert.Contains(stored.GetProperty("assignee").GetString()!, loser.GetProperty("detail").GetString());
        }

        var history = await factory.CreateAdminClient().GetJsonAsync($"/tasks/{taskId}/history?{JsonApi.Filter(new { where = new { action = "claimed" } })}");
        Assert.Equal(userTaskIds.Count, history.GetArrayLength());
    }

    [Fact]
    public async Task MineShowsOwnAndGroupOfferedUnassignedUserTasksButNotOthers()
    {
        var (alice, bob, carol) = (Unique("alice"), Unique("bob"), Unique("carol"));
        var (sales, hr) = (Unique("sales"), Unique("hr"));
        var taskId = await NewTaskAsync();
        var ids = await AddAsync(taskId,
            new NewUserTask { ExternalId = "own", Name = "assigned to alice", Assignee = alice },
            new NewUserTask { ExternalId = "sales", Name = "offered to sales", CandidateGroups = [sales, "others"], DueDate = DateTimeOffset.Parse("2030-01-01T00:00:00Z") },
            new NewUserTask { ExternalId = "hr", Name = "offered to hr", CandidateGroups = [hr] },
            new NewUserTask { ExternalId = "bobs", Name = "bob holds it, offered to sales", Assignee = bob, CandidateGroups = [sales] },
            new NewUserTask { ExternalId = "nobody", Name = "offered to no one" });
        var aliceClient = factory.CreateClientFor(alice, [sales], Permissions.ViewUserTask);
        var carolClient = factory.CreateClientFor(carol, [hr, Unique("ops")], Permissions.ViewUserTask);

        Assert.Equal(new[] { ids[0], ids[1] }.Order(StringComparer.Ordinal), (await aliceClient.GetJsonAsync("/user-tasks/mine")).Values("id").Order(StringComparer.Ordinal));
        Assert.Equal(2, await aliceClient.CountAsync("/user-tasks/mine/count"));
        Assert.Equal([ids[2]], (await carolClient.GetJsonAsync("/user-tasks/mine")).Values("id"));
        Assert.Equal([ids[3]], (await factory.CreateClientFor(bob, [], Permissions.ViewUserTask).GetJsonAsync("/user-tasks/mine")).Values("id"));

        // Filters narrow the inbox: due date, status, and both forms of the filter.
        Assert.Equal([ids[1]], (await aliceClient.GetJsonAsync($"/user-tasks/mine?{JsonApi.Filter(new { where = new { dueDate = new { lt = "2031-01-01T00:00:00Z" } } })}")).Values("id"));
        Assert.Equal([ids[0]], (await aliceClient.GetJsonAsync($"/user-tasks/mine?filter[where][assignee]={alice}")).Values("id"));
        Assert.Equal(0, (await aliceClient.GetJsonAsync($"/user-tasks/mine?{JsonApi.Filter(new { where = new { status = "completed" } })}")).GetArrayLength());

        // Across all tasks, candidate groups filter with contains.
        var offered = await aliceClient.GetJsonAsync($"/user-tasks?{JsonApi.Filter(new { where = new { candidateGroups = new { contains = sales } }, order = "name ASC" })}");
        Assert.Equal(["bob holds it, offered to sales", "offered to sales"], offered.Values("name"));
        Assert.Equal(1, await aliceClient.CountAsync($"/user-tasks/count?{JsonApi.Where(new { candidateGroups = new { contains = new[] { sales, "others" } } })}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public async Task AssigningABlankUserIdIsRefusedAndLeavesTheAssignee(string blank)
    {
        var ann = Unique("ann");
        var taskId = await NewTaskAsync();
        var userTaskId = (await AddAsync(taskId, new NewUserTask { ExternalId = "x", Name = "review" })).Single();
        var url = $"/tasks/{taskId}/user-tasks/{userTaskId}";
        var manager = factory.CreateClientFor(Unique("manager"), Permissions.AssignUserTask, Permissions.ViewUserTask);
        await (await manager.SendAsync("PUT", $"{url}/assignee", $$"""{"userId": "{{ann}}"}""")).AssertStatusAsync(HttpStatusCode.OK);

        await (await manager.SendAsync("PUT", $"{url}/assignee", $$"""{"userId": "{{blank}}"}""")).AssertBadRequestNamingAsync("userId");

        Assert.Equal(ann, (await manager.GetJsonAsync(url)).GetProperty("assignee").GetString());
    }

    [Fact]
    public async Task ClaimUnclaimAndAssignChangeTheAssigneeOnlyAsAllowed()
    {
        var (dana, eve) = (Unique("dana"), Unique("eve"));
        var taskId = await NewTaskAsync();
        var userTaskId = (await AddAsync(taskId, new NewUserTask { ExternalId = "x", Name = "review" })).Single();
        var url = $"/tasks/{taskId}/user-tasks/{userTaskId}";
        var danaClient = factory.CreateClientFor(dana, Worker);
        var eveClient = factory.CreateClientFor(eve, Worker);
        var manager = factory.CreateClientFor(Unique("manager"), Permissions.AssignUserTask, Permissions.ViewUserTask);

        Assert.Equal(dana, (await (await danaClient.SendAsync("POST", $"{url}/claim")).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("assignee").GetString());
        Assert.Equal(dana, (await (await danaClient.SendAsync("POST", $"{url}/claim")).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("assignee").GetString());
        (await (await eveClient.SendAsync("POST", $"{url}/unclaim")).AssertProblemAsync(HttpStatusCode.Forbidden)).GetProperty("detail");
        Assert.False((await (await danaClient.SendAsync("POST", $"{url}/unclaim")).ReadJsonAsync(HttpStatusCode.OK)).TryGetProperty("assignee", out _));

        Assert.Equal(eve, (await (await manager.SendAsync("PUT", $"{url}/assignee", $$"""{"userId": "{{eve}}"}""")).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("assignee").GetString());
        await (await danaClient.SendAsync("POST", $"{url}/claim")).AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.False((await (await manager.SendAsync("PUT", $"{url}/assignee", """{"userId": null}""")).ReadJsonAsync(HttpStatusCode.OK)).TryGetProperty("assignee", out _));
        await (await manager.SendAsync("PUT", $"{url}/assignee", $$"""{"userId": "{{eve}}"}""")).AssertStatusAsync(HttpStatusCode.OK);
        Assert.False((await (await manager.SendAsync("PUT", $"{url}/assignee", "{}")).ReadJsonAsync(HttpStatusCode.OK)).TryGetProperty("assignee", out _));
        await (await manager.SendAsync("PUT", $"{url}/assignee", $$"""{"userId": "{{eve}}"}""")).AssertStatusAsync(HttpStatusCode.OK);
        Assert.False((await (await manager.SendAsync("PUT", $"{url}/assignee")).ReadJsonAsync(HttpStatusCode.OK)).TryGetProperty("assignee", out _));
        await (await manager.SendAsync("PUT", $"{url}/assignee", """{"user": "x"}""")).AssertBadRequestNamingAsync("user");

        await (await danaClient.SendAsync("PATCH", $"{url}/complete")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await eveClient.SendAsync("POST", $"{url}/claim")).AssertProblemAsync(HttpStatusCode.Conflict);
        await (await eveClient.SendAsync("POST", $"/tasks/{taskId}/user-tasks/no-such/claim")).AssertNotFoundAsync();
    }

    [Fact]
    public async Task OnlyTheAssigneeCompletesUnlessTheCallerHoldsTheOverridePermission()
    {
        var (frank, grace) = (Unique("frank"), Unique("grace"));
        var taskId = await NewTaskAsync();
        var ids = await AddAsync(taskId,
            new NewUserTask { ExternalId = "a", Name = "franks", Assignee = frank },
            new NewUserTask { ExternalId = "b", Name = "franks too", Assignee = frank });

        var refused = await factory.CreateClientFor(grace, Worker).SendAsync("PATCH", $"/tasks/{taskId}/user-tasks/{ids[0]}/complete");
        Assert.Contains(frank, (await refused.AssertProblemAsync(HttpStatusCode.Forbidden)).GetProperty("detail").GetString());

        await (await factory.CreateClientFor(frank, Worker).SendAsync("PATCH", $"/tasks/{taskId}/user-tasks/{ids[0]}/complete")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await factory.CreateClientFor(grace, [.. Worker, Permissions.CompleteAnyUserTask]).SendAsync("PATCH", $"/tasks/{taskId}/user-tasks/{ids[1]}/complete"))
            .AssertStatusAsync(HttpStatusCode.NoContent);

        var completed = await factory.CreateAdminClient().GetJsonAsync($"/tasks/{taskId}/history?{JsonApi.Filter(new { where = new { action = "completed" } })}");
        Assert.Equal([frank, grace], completed.Values("by"));
    }

    [Theory]
    [InlineData("""{"amount": 5, "reason": "ok", "approved": true, "kind": "small", "on": "2030-01-31"}""", "variables/amount")]
    [InlineData("""{"amount": 50, "approved": true}""", "variables/reason")]
    [InlineData("""{"amount": 50, "reason": "this reason is far too long", "approved": true}""", "variables/reason")]
    [InlineData("""{"amount": "50", "reason": "ok", "approved": true}""", "variables/amount")]
    [InlineData("""{"amount": 50, "reason": "ok", "approved": "yes"}""", "variables/approved")]
    [InlineData("""{"amount": 50, "reason": "ok", "approved": true, "kind": "huge"}""", "variables/kind")]
    [InlineData("""{"amount": 50, "reason": "ok", "approved": true, "on": "31/01/2030"}""", "variables/on")]
    public async Task CompletingWithValuesThatViolateTheFormIs400NamingTheField(string variables, string field)
    {
        var taskId = await NewTaskAsync();
        var userTaskId = (await AddAsync(taskId, new NewUserTask { ExternalId = "form", Name = "with a form", Form = Form })).Single();
        var client = factory.CreateAdminClient();

        var answer = await client.SendAsync("PATCH", $"/tasks/{taskId}/user-tasks/{userTaskId}/complete", $$"""{"variables": {{variables}}}""");

        await answer.AssertBadRequestNamingAsync(field);
        var stored = await client.GetJsonAsync($"/tasks/{taskId}/user-tasks/{userTaskId}");
        Assert.Equal("pending", stored.GetProperty("status").GetString());
        Assert.Equal(1, (await client.GetJsonAsync($"/tasks/{taskId}/history")).EnumerateArray().Count(e => e.GetProperty("action").GetString() == "user-task-created"));
        Assert.DoesNotContain("completed", (await client.GetJsonAsync($"/tasks/{taskId}/history")).Values("action"));

        await (await client.SendAsync("PATCH", $"/tasks/{taskId}/user-tasks/{userTaskId}/complete", """{"variables": {"amount": 50, "reason": "ok", "approved": false, "extra": [1]}}"""))
            .AssertStatusAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task FormValuesFromTheBpmnAreCheckedAndValidOnesPassIntoTheWorkflow()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var processId = Unique("form-process");
        await client.DeployAsync(FormProcess(processId));
        var taskKey = TaskSeeding.NewKey("form");
        (await client.PostJsonAsync("/tasks/mapping", new { taskKey, workflowKey = processId })).EnsureSuccessStatusCode();
        var taskId = (await factory.CreateTasksAsync(new { key = taskKey, name = "with a form" })).Single();
        var userTask = (await client.GetJsonAsync($"/tasks/{taskId}/user-tasks")).EnumerateArray().Single();
        var fields = userTask.GetProperty("form").GetProperty("fields");
        Assert.Equal(["amount", "decision"], fields.Values("id"));
        var url = $"/tasks/{taskId}/user-tasks/{userTask.GetProperty("id").GetString()}/complete";

        await (await client.SendAsync("PATCH", url, """{"variables": {"amount": 1000, "decision": "approve"}}""")).AssertBadRequestNamingAsync("variables/amount");
        await (await client.SendAsync("PATCH", url, """{"variables": {"amount": 10}}""")).AssertBadRequestNamingAsync("variables/decision");
        await (await client.SendAsync("PATCH", url, """{"variables": {"amount": 10, "decision": "approve"}}""")).AssertStatusAsync(HttpStatusCode.NoContent);

        var instance = await client.GetJsonAsync($"/workflow-instances/{(await client.GetJsonAsync($"/tasks/{taskId}")).GetProperty("externalId").GetString()}");
        Assert.Equal(10, instance.GetProperty("variables").GetProperty("amount").GetInt32());
        Assert.Equal("approve", instance.GetProperty("variables").GetProperty("decision").GetString());
    }

    [Fact]
    public async Task TheHistoryHasOneEntryPerChangeWithWhoAndWhen()
    {
        var (hank, ivy, boss) = (Unique("hank"), Unique("ivy"), Unique("boss"));
        var started = DateTimeOffset.UtcNow.AddSeconds(-1);
        var taskId = await NewTaskAsync();
        var userTaskId = (await AddAsync(taskId, new NewUserTask { ExternalId = "h", Name = "step" })).Single();
        var url = $"/tasks/{taskId}/user-tasks/{userTaskId}";
        var hankClient = factory.CreateClientFor(hank, Worker);
        var bossClient = factory.CreateClientFor(boss, [.. Permissions.All]);

        await (await hankClient.SendAsync("POST", $"{url}/claim")).AssertStatusAsync(HttpStatusCode.OK);
        await (await hankClient.SendAsync("POST", $"{url}/claim")).AssertStatusAsync(HttpStatusCode.OK);
        await (await hankClient.SendAsync("POST", $"{url}/unclaim")).AssertStatusAsync(HttpStatusCode.OK);
        await (await bossClient.SendAsync("PUT", $"{url}/assignee", $$"""{"userId": "{{ivy}}"}""")).AssertStatusAsync(HttpStatusCode.OK);
        await (await bossClient.PatchJsonAsync($"/tasks/{taskId}", new { name = "renamed", priority = "high" })).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await factory.CreateClientFor(ivy, Worker).SendAsync("PATCH", $"{url}/complete")).AssertStatusAsync(HttpStatusCode.NoContent);

        var history = (await bossClient.GetJsonAsync($"/tasks/{taskId}/history")).EnumerateArray().ToArray();

        Assert.Equal(
            ["created", "user-task-created", "claimed", "unclaimed", "assigned", "updated", "completed", "status-changed"],
            history.Select(e => e.GetProperty("action").GetString()));
        Assert.Equal(["workflow", "workflow", hank, hank, boss, boss, ivy, ivy], history.Select(e => e.GetProperty("by").GetString()));
        Assert.All(history, e => Assert.InRange(e.GetProperty("on").GetDateTimeOffset(), started, DateTimeOffset.UtcNow.AddSeconds(1)));

        Assert.Equal(userTaskId, history[2].GetProperty("userTaskId").GetString());
        Assert.Equal(Change("assignee", null, hank), Changes(history[2]).Single());
        Assert.Equal(Change("assignee", hank, null), Changes(history[3]).Single());
        Assert.Equal(Change("assignee", null, ivy), Changes(history[4]).Single());
        Assert.False(history[5].TryGetProperty("userTaskId", out _));
        Assert.Equal([Change("name", "history task", "renamed"), Change("priority", null, "high")], Changes(history[5]));
        Assert.Equal(Change("status", "pending", "in progress"), Changes(history[7]).Single());

        await (await factory.CreateClient(Permissions.ViewTask).GetAsync($"/tasks/{taskId}/history")).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await bossClient.GetAsync("/tasks/no-such-task/history")).AssertNotFoundAsync();
    }

    [Theory]
    [InlineData("GET", "/user-tasks", null, Permissions.ViewUserTask)]
    [InlineData("GET", "/user-tasks/count", null, Permissions.ViewUserTask)]
    [InlineData("GET", "/user-tasks/mine", null, Permissions.ViewUserTask)]
    [InlineData("GET", "/user-tasks/mine/count", null, Permissions.ViewUserTask)]
    [InlineData("POST", "/tasks/{key}/user-tasks/{key}/claim", null, Permissions.ClaimUserTask)]
    [InlineData("POST", "/tasks/{key}/user-tasks/{key}/unclaim", null, Permissions.ClaimUserTask)]
    [InlineData("PUT", "/tasks/{key}/user-tasks/{key}/assignee", """{"userId": "x"}""", Permissions.AssignUserTask)]
    [InlineData("GET", "/tasks/{key}/history", null, Permissions.ViewTaskHistory)]
    public Task EachInboxRouteNeedsItsPermission(string method, string path, string? body, string code) =>
        PermissionChecks.AssertRequiresAsync(factory, code, PermissionChecks.Row(method, path, body));

    [Fact]
    public async Task TheOpenApiDocumentDescribesTheInboxRoutesTheirRowsAndProblems()
    {
        var paths = (await factory.CreateAnonymousClient().GetJsonAsync("/openapi/v1.json")).GetProperty("paths");

        string Schema(string path, string method, string status) =>
            paths.GetProperty(path).GetProperty(method).GetProperty("responses").GetProperty(status).GetProperty("content")
                .EnumerateObject().First().Value.GetProperty("schema").ToString();

        Assert.Contains("UserTaskRecord", Schema("/user-tasks/mine", "get", "200"));
        Assert.Contains("UserTaskRecord", Schema("/user-tasks", "get", "200"));
        Assert.Contains("TaskHistoryEntry", Schema("/tasks/{taskId}/history", "get", "200"));
        Assert.Contains("UserTaskRecord", Schema("/tasks/{taskId}/user-tasks/{userTaskId}/claim", "post", "200"));
        Assert.Contains("ProblemDetails", Schema("/tasks/{taskId}/user-tasks/{userTaskId}/claim", "post", "409"));
        Assert.Contains("ProblemDetails", Schema("/tasks/{taskId}/user-tasks/{userTaskId}/assignee", "put", "409"));
        Assert.Contains("override permission", paths.GetProperty("/tasks/{taskId}/user-tasks/{userTaskId}/complete").GetProperty("patch").GetProperty("responses").GetProperty("403").GetProperty("description").GetString());
        Assert.Contains("groups", paths.GetProperty("/user-tasks/mine").GetProperty("get").GetProperty("summary").GetString());
        Assert.True(paths.GetProperty("/user-tasks/mine/count").TryGetProperty("get", out _));
        Assert.True(paths.GetProperty("/tasks/{taskId}/user-tasks/{userTaskId}/assignee").GetProperty("put").TryGetProperty("requestBody", out _));
    }

    [Fact]
    public async Task ADevelopmentTokenForAUserAndGroupsOpensThatUsersInbox()
    {
        var (jan, team) = (Unique("jan"), Unique("team"));
        var token = Assert.IsType<Microsoft.AspNetCore.Http.HttpResults.ContentHttpResult>(TaskService.Gateway.Apis.DevelopmentTokenApi.Issue(factory.Jwt, new TaskService.Gateway.Http.RequestFieldChecks(new TaskService.Common.LimitsOptions()), null, null, jan, $" {team} ,other").Result).ResponseContent!;
        var taskId = await NewTaskAsync();
        var offered = (await AddAsync(taskId, new NewUserTask { ExternalId = "t", Name = "offered", CandidateGroups = [team] })).Single();
        var client = factory.CreateAnonymousClient();
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token);

        Assert.Equal([offered], (await client.GetJsonAsync("/user-tasks/mine")).Values("id"));
        Assert.Equal(jan, (await (await client.SendAsync("POST", $"/tasks/{taskId}/user-tasks/{offered}/claim")).ReadJsonAsync(HttpStatusCode.OK)).GetProperty("assignee").GetString());
    }

    private static UserTaskForm Form { get; } = new()
    {
        Fields =
        [
            new FormField { Id = "amount", Type = "long", Required = true, Min = 10, Max = 100 },
            new FormField { Id = "reason", Type = "string", Required = true, MinLength = 2, MaxLength = 10 },
            new FormField { Id = "approved", Type = "boolean", Required = true },
            new FormField { Id = "kind", Type = "enum", Values = ["small", "large"] },
            new FormField { Id = "on", Type = "date" },
        ],
    };

    /// <summary>Start -> user task <c>Decide</c> asking for an amount and a decision -> user task <c>Wait</c> -> end.</summary>
    private static string FormProcess(string processId) => BpmnBuilder.Process(processId)
        .StartEvent("Start")
        .UserTask("Decide", "Decide", form: BpmnBuilder.AmountAndDecisionForm)
        .UserTask("Wait", "Wait")
        .EndEvent("End")
        .Build();

    private static string Unique(string name) => $"{name}-{Guid.NewGuid():N}";

    private static string Change(string field, string? from, string? to) => $"{field}: {from ?? "(none)"} -> {to ?? "(none)"}";

    private static string[] Changes(JsonElement entry) =>
        entry.GetProperty("changes").EnumerateArray()
            .Select(c => Change(
                c.GetProperty("field").GetString()!,
                c.TryGetProperty("from", out var from) ? from.GetString() : null,
                c.TryGetProperty("to", out var to) ? to.GetString() : null))
            .ToArray();

    private async Task<string> NewTaskAsync() =>
        (await factory.CreateTasksAsync(new { key = TaskSeeding.NewKey("inbox"), name = "history task" })).Single();

    private async Task<IReadOnlyList<string>> AddAsync(string taskId, params NewUserTask[] userTasks)
    {
        var grain = factory.Grains().GetGrain<ITaskGrain>(taskId);
        await grain.AddUserTasksAsync(userTasks);
        var recorded = await grain.GetUserTasksAsync();
        return userTasks.Select(p => recorded.Single(u => u.ExternalId == p.ExternalId).Id).ToArray();
    }
}
