using System.Net;
using System.Text.Json;
using TaskService.Common;
using Bpmn = TaskService.Testing.Api.TestWorkflows;
using Http = TaskService.Testing.Api.JsonApi;
using TaskService.Testing.Queries;

namespace TaskService.Compatibility.Tests;

/// <summary>
/// Each of the original's 28 operations (the 25 of its openapi.json and its HTTP connector's 3) as the original's clients call
/// it: with the original's permission codes (read from its contract), its request bodies and both forms of LoopBack filters
/// (JSON and the qs bracket form). Where we answer as the original, the answer is checked against the original's response
/// schema as published; where we differ, the test asserts the difference as README's "Differences from the original" states it.
/// </summary>
[Collection(CompatibilityCollection.Name)]
public sealed class OriginalOperationsTests(TaskServiceApiFactory factory)
{
    // ---- Events ----

    [Fact]
    public async Task Op01_GetEventsCount_SameAsTheOriginal()
    {
        var key = await TriggerAsync();

        var count = await BothFormsAsync(Client("GET", "/events/count"), "/events/count", "where", new { key });

        Assert.Equal(1, count.GetProperty("count").GetInt64());
        OriginalContract.AssertBodyMatches("GET", "/events/count", "200", count.GetRawText());
    }

    [Fact]
    public async Task Op02_PostEventsMapping_DifferentOnPurpose_Needs16006And201WithTheMapping()
    {
        // The original let any signed-in user map events ('*'); here mapping an event to a workflow needs 16006.
        Assert.Empty(OriginalContract.Permissions("POST", "/events/mapping"));
        var body = new { eventKey = TaskSeeding.NewKey("event"), workflowKey = "some-process" };
        var anyUser = await factory.CreateClient("16002").PostJsonAsync("/events/mapping", body);
        await anyUser.AssertStatusAsync(HttpStatusCode.Forbidden);

        var created = await (await factory.CreateClientFor("mapper", "16006").PostJsonAsync("/events/mapping", body)).ReadJsonAsync(HttpStatusCode.Created);

        // The answer (the original answered 204 without a body) is the original's own EventWorkflowMapping model, with the
        // audit fields as the original fills them.
        OriginalContract.AssertComponentMatches("EventWorkflowMapping", created.GetRawText());
        Assert.Equal("mapper", created.GetProperty("createdBy").GetString());
        Assert.False(created.GetProperty("deleted").GetBoolean());

        // The original's request body may carry every property of its model; the id and audit fields are ignored.
        var echoed = await (await factory.CreateClient("16006").PostJsonAsync("/events/mapping", new
        {
            eventKey = TaskSeeding.NewKey("event"), workflowKey = "some-process", id = "mine", deleted = false, createdBy = "someone",
        })).ReadJsonAsync(HttpStatusCode.Created);
        Assert.NotEqual("mine", echoed.GetProperty("id").GetString());
        Assert.NotEqual("someone", echoed.GetProperty("createdBy").GetString());
    }

    [Fact]
    public async Task Op03_GetEventById_SameAsTheOriginal()
    {
        var key = await TriggerAsync();
        var id = (await Client("GET", "/events").GetJsonAsync($"/events?{Http.Filter(new { where = new { key } })}"))[0].GetProperty("id").GetString();

        var response = await Client("GET", "/events/{id}").GetAsync($"/events/{id}?{Http.Filter(new { fields = new[] { "id", "key", "payload", "source", "description", "timestamp" } })}");

        OriginalContract.AssertBodyMatches("GET", "/events/{id}", "200", (await response.ReadJsonAsync(HttpStatusCode.OK)).GetRawText());
    }

    [Fact]
    public async Task Op04_GetEvents_SameAsTheOriginal()
    {
        var key = await TriggerAsync();

        var events = await BothFormsAsync(Client("GET", "/events"), "/events", "filter", new { where = new { key }, order = new[] { "timestamp DESC" }, limit = 5 });

        Assert.Equal(1, events.GetArrayLength());
        OriginalContract.AssertBodyMatches("GET", "/events", "200", events.GetRawText());
    }

    // ---- Tasks ----

    [Fact]
    public async Task Op05_GetTasksCount_SameAsTheOriginal()
    {
        var (key, _) = await SeedTasksAsync();

        var count = await BothFormsAsync(Client("GET", "/tasks/count"), "/tasks/count", "where", new { key, name = new { like = "%mm%" } });

        Assert.Equal(1, count.GetProperty("count").GetInt64());
        OriginalContract.AssertBodyMatches("GET", "/tasks/count", "200", count.GetRawText());
    }

    [Fact]
    public async Task Op06_PostTasksMapping_DifferentOnPurpose_201WithTheMapping()
    {
        var client = ClientFor("mapper", "POST", "/tasks/mapping");
        var response = await client.PostJsonAsync("/tasks/mapping", new { taskKey = TaskSeeding.NewKey("task"), workflowKey = "some-process" });

        var mapping = await response.ReadJsonAsync(HttpStatusCode.Created);
        OriginalContract.AssertComponentMatches("TaskWorkFlowMapping", mapping.GetRawText());
        Assert.Equal("mapper", mapping.GetProperty("createdBy").GetString());
        Assert.Equal("mapper", mapping.GetProperty("modifiedBy").GetString());
    }

    [Fact]
    public async Task Op07_GetUserTasksCount_SameAsTheOriginal()
    {
        var (_, ids) = await SeedTasksAsync();
        await factory.AddUserTasksAsync(ids[0], "first", "second");

        var count = await BothFormsAsync(Client("GET", "/tasks/{taskId}/user-tasks/count"), $"/tasks/{ids[0]}/user-tasks/count", "where", new { status = "pending" });

        Assert.Equal(2, count.GetProperty("count").GetInt64());
        OriginalContract.AssertBodyMatches("GET", "/tasks/{taskId}/user-tasks/count", "200", count.GetRawText());
    }

    [Fact]
    public async Task Op08_PatchCompleteUserTask_SameAsTheOriginal()
    {
        var (_, ids) = await SeedTasksAsync();
        var userTasks = await factory.AddUserTasksAsync(ids[0], "first");

        var response = await Client("PATCH", "/tasks/{taskId}/user-tasks/{userTaskId}/complete").SendAsync("PATCH", $"/tasks/{ids[0]}/user-tasks/{userTasks[0]}/complete");

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Op09_GetUserTaskById_SameAsTheOriginal()
    {
        var (_, ids) = await SeedTasksAsync();
        var userTasks = await factory.AddUserTasksAsync(ids[0], "first");

        var userTask = await Client("GET", "/tasks/{taskId}/user-tasks/{userTaskId}").GetJsonAsync($"/tasks/{ids[0]}/user-tasks/{userTasks[0]}");

        OriginalContract.AssertBodyMatches("GET", "/tasks/{taskId}/user-tasks/{userTaskId}", "200", userTask.GetRawText());
    }

    [Fact]
    public async Task Op10_DeleteUserTaskById_SameAsTheOriginal()
    {
        var (_, ids) = await SeedTasksAsync();
        var userTasks = await factory.AddUserTasksAsync(ids[0], "first");

        var response = await Client("DELETE", "/tasks/{taskId}/user-tasks/{id}").DeleteAsync($"/tasks/{ids[0]}/user-tasks/{userTasks[0]}");

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal(0, await factory.StoredUserTaskCountAsync(ids[0]));
    }

    [Fact]
    public async Task Op11_GetUserTasks_SameAsTheOriginal()
    {
        var (_, ids) = await SeedTasksAsync();
        await factory.AddUserTasksAsync(ids[0], "first", "second");

        var userTasks = await BothFormsAsync(Client("GET", "/tasks/{taskId}/user-tasks"), $"/tasks/{ids[0]}/user-tasks", "filter", new { where = new { name = new { inq = new[] { "first", "second" } } }, order = "name DESC" });

        Assert.Equal(["second", "first"], userTasks.Values("name"));
        OriginalContract.AssertBodyMatches("GET", "/tasks/{taskId}/user-tasks", "200", userTasks.GetRawText());
    }

    [Fact]
    public async Task Op12_DeleteUserTasksWhere_DifferentOnPurpose_OnlyTheTaskInThePath()
    {
        // The original deleted matching user tasks of every task (it ignored the path's task id); here only that task's.
        var (_, ids) = await SeedTasksAsync();
        await factory.AddUserTasksAsync(ids[0], "first", "second");
        await factory.AddUserTasksAsync(ids[1], "first");
        var client = Client("DELETE", "/tasks/{taskId}/user-tasks");

        await (await client.DeleteAsync($"/tasks/{ids[0]}/user-tasks?{FilterCases.BracketQuery("""{"name":"first"}""", "where")}")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await client.DeleteAsync($"/tasks/{ids[0]}/user-tasks?{Http.Where(new { name = "second" })}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal(0, await factory.StoredUserTaskCountAsync(ids[0]));
        Assert.Equal(1, await factory.StoredUserTaskCountAsync(ids[1]));
    }

    [Fact]
    public async Task Op13_PatchTaskById_SameAsTheOriginal_WithItsWritableFields()
    {
        var (_, ids) = await SeedTasksAsync();
        var client = Client("PATCH", "/tasks/{id}");
        var newKey = TaskSeeding.NewKey("rekeyed");

        // Every writable field of the original's TaskPartial, and its id and audit fields as a client that read the task sends them.
        var response = await client.PatchJsonAsync($"/tasks/{ids[0]}", new
        {
            key = newKey, name = "renamed", description = "d", status = "in progress", priority = "low", severity = "high", type = "t",
            startDate = "2029-01-01T00:00:00.000Z", dueDate = "2030-01-01T00:00:00.000Z", endDate = "2030-02-01T00:00:00.000Z",
            assigneeId = "u-1", metadata = new { a = 1 }, externalId = "crm-17", notes = "n",
            id = ids[0], createdOn = "2020-01-01T00:00:00.000Z", modifiedOn = "2020-01-01T00:00:00.000Z", createdBy = "x", modifiedBy = "x",
            deleted = false, deletedOn = (string?)null, deletedBy = (string?)null,
        });
        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        var patched = await Client("GET", "/tasks/{id}").GetJsonAsync($"/tasks/{ids[0]}");
        Assert.Equal((newKey, "renamed", "crm-17", DateTimeOffset.Parse("2030-02-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture)),
            (patched.GetProperty("key").GetString(), patched.GetProperty("name").GetString(), patched.GetProperty("externalId").GetString(), patched.GetProperty("endDate").GetDateTimeOffset()));

        // The audit fields as the original fills them: modifiedBy is the token's user, whatever the body says; deleted is false.
        Assert.Equal("developer", patched.GetProperty("modifiedBy").GetString());
        Assert.Equal(AuditUsers.System, patched.GetProperty("createdBy").GetString());
        Assert.False(patched.GetProperty("deleted").GetBoolean());
        OriginalContract.AssertBodyMatches("GET", "/tasks/{id}", "200", patched.GetRawText());

        // Different on purpose: a property of no model is a 400 naming it (LoopBack's strict model says the same); deleted: true
        // is a 400 (delete with DELETE); a task that runs a workflow keeps the instance's id as its externalId (409).
        await (await client.SendAsync("PATCH", $"/tasks/{ids[0]}", """{"nmae": "typo"}""")).AssertBadRequestNamingAsync("nmae");
        await (await client.SendAsync("PATCH", $"/tasks/{ids[0]}", """{"deleted": true}""")).AssertBadRequestNamingAsync("deleted");
        await factory.Grains().GetGrain<TaskService.Tasks.ITaskGrain>(ids[1]).AttachWorkflowAsync("instance-of-beta", []);
        var conflict = await client.PatchJsonAsync($"/tasks/{ids[1]}", new { externalId = "other" });
        await conflict.AssertStatusAsync(HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Op14_GetTaskById_SameAsTheOriginal_WithInclude()
    {
        var (_, ids) = await SeedTasksAsync();
        await factory.AddUserTasksAsync(ids[0], "first");

        var task = await Client("GET", "/tasks/{id}").GetJsonAsync($"/tasks/{ids[0]}?{FilterCases.BracketQuery("""{"include":[{"relation":"userTasks","scope":{"fields":["id","name","taskId","status","externalId"]}}]}""", "filter")}");

        Assert.Equal("first", task.GetProperty("userTasks")[0].GetProperty("name").GetString());
        OriginalContract.AssertBodyMatches("GET", "/tasks/{id}", "200", task.GetRawText());
    }

    [Fact]
    public async Task Op15_DeleteTaskById_SameAsTheOriginal()
    {
        var (_, ids) = await SeedTasksAsync();

        var response = await Client("DELETE", "/tasks/{id}").DeleteAsync($"/tasks/{ids[0]}?cascade=true");

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        await (await Client("GET", "/tasks/{id}").GetAsync($"/tasks/{ids[0]}")).AssertStatusAsync(HttpStatusCode.NotFound);

        // Soft delete as the original's: the deleted task is left out of lists and counts, even when asked for by id or by deleted.
        Assert.Equal(0, (await Client("GET", "/tasks/count").GetJsonAsync($"/tasks/count?{Http.Where(new { id = ids[0] })}")).GetProperty("count").GetInt64());
        Assert.Equal(0, (await Client("GET", "/tasks/count").GetJsonAsync($"/tasks/count?{Http.Where(new { id = ids[0], deleted = true })}")).GetProperty("count").GetInt64());
        Assert.Equal(0, (await Client("GET", "/tasks").GetJsonAsync($"/tasks?{Http.Filter(new { where = new { id = ids[0] } })}")).GetArrayLength());
    }

    [Fact]
    public async Task Op16_PatchTasksWhere_SameAsTheOriginal_ButWhereIsRequired()
    {
        var (key, _) = await SeedTasksAsync();
        var client = Client("PATCH", "/tasks");

        var json = await (await client.PatchJsonAsync($"/tasks?{Http.Where(new { key, name = "alpha" })}", new { notes = "json" })).ReadJsonAsync(HttpStatusCode.OK);
        var brackets = await (await client.PatchJsonAsync($"/tasks?{FilterCases.BracketQuery(JsonSerializer.Serialize(new { key, name = new { inq = new[] { "beta", "gamma" } } }), "where")}", new { notes = "brackets" })).ReadJsonAsync(HttpStatusCode.OK);

        Assert.Equal(1, json.GetProperty("count").GetInt64());
        Assert.Equal(2, brackets.GetProperty("count").GetInt64());
        OriginalContract.AssertComponentMatches("loopback.Count", brackets.GetRawText());

        // Different on purpose: without where the original changes every task; here it is a 400 naming where.
        await (await client.PatchJsonAsync("/tasks", new { notes = "all" })).AssertBadRequestNamingAsync("where");
    }

    [Fact]
    public async Task Op17_GetTasks_SameAsTheOriginal()
    {
        var (key, ids) = await SeedTasksAsync();
        await factory.AddUserTasksAsync(ids[1], "review");

        var tasks = await BothFormsAsync(Client("GET", "/tasks"), "/tasks", "filter", new
        {
            where = new { key, or = new object[] { new { name = "alpha" }, new { name = new { like = "b%" } } } },
            order = new[] { "name ASC" },
            limit = 5,
            include = new object[] { new { relation = "userTasks", scope = new { fields = new[] { "id", "name", "taskId", "status", "externalId" } } } },
        });

        Assert.Equal(["alpha", "beta"], tasks.Values("name"));
        OriginalContract.AssertBodyMatches("GET", "/tasks", "200", tasks.GetRawText());
    }

    [Fact]
    public async Task Op18_DeleteTasksWhere_SameAsTheOriginal_ButWhereIsRequired()
    {
        var (key, _) = await SeedTasksAsync();
        var client = Client("DELETE", "/tasks");

        await (await client.DeleteAsync($"/tasks?{FilterCases.BracketQuery(JsonSerializer.Serialize(new { key, name = "alpha" }), "where")}&cascade=true")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await client.DeleteAsync($"/tasks?{Http.Where(new { key, name = "beta" })}")).AssertStatusAsync(HttpStatusCode.NoContent);

        Assert.Equal(["gamma"], (await Client("GET", "/tasks").GetJsonAsync($"/tasks?{Http.Filter(new { where = new { key } })}")).Values("name"));

        // Different on purpose: without where the original deletes every task; here it is a 400 naming where.
        await (await client.DeleteAsync("/tasks")).AssertBadRequestNamingAsync("where");
        Assert.Equal(["gamma"], (await Client("GET", "/tasks").GetJsonAsync($"/tasks?{Http.Filter(new { where = new { key } })}")).Values("name"));
    }

    // ---- Workflows ----

    [Fact]
    public async Task Op19_PostWorkflowExecute_SameAsTheOriginal_CamundasInstanceFieldsFirst()
    {
        var (id, _) = await DeployAsync();
        var client = Client("POST", "/workflows/{id}/execute");

        var response = await client.PostJsonAsync($"/workflows/{id}/execute", new { input = new { }, workflowVersion = 1 });

        // 200 as in the original, which answered Camunda's process instance: its id, definitionId, ended and suspended come
        // first here too; our instance's details follow.
        var started = await response.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(["id", "definitionId", "ended", "suspended"], started.EnumerateObject().Take(4).Select(p => p.Name));
        Assert.Equal(started.GetProperty("instance").GetProperty("id").GetString(), started.GetProperty("id").GetString());
        Assert.Equal(id, started.GetProperty("instance").GetProperty("workflowId").GetString());
        Assert.False(string.IsNullOrEmpty(started.GetProperty("definitionId").GetString()));
        Assert.False(started.GetProperty("suspended").GetBoolean());

        // The original's ExecuteWorkflowDto is strict: input is required, and another property is a 400 naming it.
        await (await client.SendAsync("POST", $"/workflows/{id}/execute", """{"workflowVersion": 1}""")).AssertBadRequestNamingAsync("input");
        await (await client.SendAsync("POST", $"/workflows/{id}/execute", """{"input": {}, "version": 1}""")).AssertBadRequestNamingAsync("version");
    }

    [Fact]
    public async Task Op20_DeleteWorkflowVersion_SameAsTheOriginal()
    {
        var (id, bpmn) = await DeployAsync();
        await (await Client("PATCH", "/workflows/{id}").PatchJsonAsync($"/workflows/{id}", new { bpmnFile = bpmn + "\n<!-- v2 -->" })).AssertStatusAsync(HttpStatusCode.NoContent);

        var response = await Client("DELETE", "/workflows/{id}/version/{version}").DeleteAsync($"/workflows/{id}/version/1");

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Op21_PatchWorkflow_SameAsTheOriginal_204()
    {
        var (id, bpmn) = await DeployAsync();
        var client = ClientFor("editor", "PATCH", "/workflows/{id}");

        // The original's WorkflowDto is not strict: a client may send back the workflow it read, with a new BPMN file.
        var read = await Client("GET", "/workflows/{id}").GetJsonAsync($"/workflows/{id}");
        var body = System.Text.Json.Nodes.JsonNode.Parse(read.GetRawText())!.AsObject();
        body["bpmnFile"] = bpmn + "\n<!-- v2 -->";
        body["description"] = "changed";
        var response = await client.SendAsync("PATCH", $"/workflows/{id}", body.ToJsonString());

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        var changed = await Client("GET", "/workflows/{id}").GetJsonAsync($"/workflows/{id}");
        Assert.Equal((2, "changed", "editor"), (changed.GetProperty("workflowVersion").GetInt32(), changed.GetProperty("description").GetString(), changed.GetProperty("modifiedBy").GetString()));

        // Different on purpose: a property of neither the original's WorkflowDto nor its Workflow is a 400 naming it, where the
        // original ignored it; a misspelt bpmnFile would otherwise answer 204 and deploy nothing.
        await (await client.SendAsync("PATCH", $"/workflows/{id}", """{"bpmnFlie": "<x/>"}""")).AssertBadRequestNamingAsync("bpmnFlie");
    }

    [Fact]
    public async Task Op22_GetWorkflowById_SameAsTheOriginal_TheWorkflowItself()
    {
        var (id, _) = await DeployAsync();

        var workflow = await Client("GET", "/workflows/{id}").GetJsonAsync($"/workflows/{id}");

        // The original declares no schema for this answer; it is its Workflow model.
        OriginalContract.AssertComponentMatches("Workflow", workflow.GetRawText());
        Assert.Equal(id, workflow.GetProperty("id").GetString());

        // An addition: filter may include the versions (each with its BPMN diagram), as GET /workflows does.
        var withVersions = await Client("GET", "/workflows/{id}").GetJsonAsync($"/workflows/{id}?{FilterCases.BracketQuery("""{"include":["workflowVersions"]}""", "filter")}");
        Assert.Equal(1, withVersions.GetProperty("workflowVersions").GetArrayLength());
    }

    [Fact]
    public async Task Op23_DeleteWorkflow_SameAsTheOriginal_SoftDelete()
    {
        var (id, bpmn) = await DeployAsync();

        var response = await Client("DELETE", "/workflows/{id}").DeleteAsync($"/workflows/{id}");

        await response.AssertStatusAsync(HttpStatusCode.NoContent);
        await (await Client("GET", "/workflows/{id}").GetAsync($"/workflows/{id}")).AssertNotFoundAsync();
        Assert.Empty((await Client("GET", "/workflows").GetJsonAsync($"/workflows?{Http.Filter(new { where = new { id } })}")).EnumerateArray());

        // The original's soft delete leaves the process id to Camunda's next deployment; here a new workflow may deploy it.
        var again = await (await Client("POST", "/workflows").PostJsonAsync("/workflows", new { name = "again", bpmnFile = bpmn, inputSchema = new { type = "object" } })).ReadJsonAsync(HttpStatusCode.Created);
        Assert.NotEqual(id, again.GetProperty("id").GetString());
    }

    [Fact]
    public async Task Op24_PostWorkflows_DifferentOnPurpose_201WithTheWorkflow()
    {
        var (bpmn, _) = Bpmn.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");

        var client = ClientFor("author", "POST", "/workflows");

        var response = await client.PostJsonAsync("/workflows", new { name = "compat", bpmnFile = bpmn, inputSchema = new { type = "object" }, description = "d" });

        // The original answers 200; creates answer 201 here. The body is the original's Workflow model, createdBy the token's user.
        var created = await response.ReadJsonAsync(HttpStatusCode.Created);
        OriginalContract.AssertBodyMatches("POST", "/workflows", "200", created.GetRawText());
        Assert.Equal("author", created.GetProperty("createdBy").GetString());

        // The original's NewWorkflow takes other properties (additionalProperties: true): those of its Workflow model are
        // ignored here too; any other is a 400 naming it.
        var (other, _) = Bpmn.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
        var echoed = await client.PostJsonAsync("/workflows", new { name = "compat", bpmnFile = other, inputSchema = new { type = "object" }, provider = "camunda", workflowVersion = 7, externalIdentifier = "x", id = "mine" });
        var workflow = await echoed.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal((1, "embedded"), (workflow.GetProperty("workflowVersion").GetInt32(), workflow.GetProperty("provider").GetString()));
        var (third, _) = Bpmn.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
        await (await client.PostJsonAsync("/workflows", new { name = "compat", bpmnFile = third, inputSchema = new { type = "object" }, fileName = "a.bpmn" })).AssertBadRequestNamingAsync("fileName");
    }

    [Fact]
    public async Task Op25_GetWorkflows_SameAsTheOriginal()
    {
        var (id, _) = await DeployAsync();

        var workflows = await BothFormsAsync(Client("GET", "/workflows"), "/workflows", "filter", new { where = new { id }, limit = 1 });

        Assert.Equal(1, workflows.GetArrayLength());
        OriginalContract.AssertBodyMatches("GET", "/workflows", "200", workflows.GetRawText());
    }

    // ---- The HTTP connector (not in the original's openapi.json; src/connectors/http/controllers) ----

    [Fact]
    public async Task Op26_PostClientApp_DifferentOnPurpose_201WithIdAndCredentials()
    {
        var response = await factory.CreateClient("16001").PostJsonAsync("/client-app", new { clientName = TaskSeeding.NewKey("app") });

        // The original answers 200 with {name, apiKey, apiSecret}; here 201 with the id besides.
        var app = await response.ReadJsonAsync(HttpStatusCode.Created);
        Assert.All(new[] { "id", "name", "apiKey", "apiSecret" }, p => Assert.False(string.IsNullOrEmpty(app.GetProperty(p).GetString())));
    }

    [Fact]
    public async Task Op27_PostEventsTrigger_DifferentOnPurpose_202WithTheEventId()
    {
        var key = TaskSeeding.NewKey("trigger");

        var response = await factory.CreateClient("16007").PostJsonAsync("/events/trigger", new { key, payload = new { a = 1 }, source = "compat", description = "d" });

        // The original answers 204; workflows start asynchronously, so here 202 with {id, key}.
        var accepted = await response.ReadJsonAsync(HttpStatusCode.Accepted);
        Assert.Equal(key, accepted.GetProperty("key").GetString());
    }

    [Fact]
    public async Task Op28_PostWebhooksSubscribe_DifferentOnPurpose_201WithTheSubscription()
    {
        var app = await ClientApp.CreateAsync(factory);
        var client = app.CreateWebhooksClient(factory, "16010");

        var response = await client.PostJsonAsync("/webhooks/subscribe", new { url = "http://127.0.0.1:9/hooks", key = "task-created" });

        // The original answers 204; here 201 with the subscription. Bad key or secret is 401 in both.
        var subscription = await response.ReadJsonAsync(HttpStatusCode.Created);
        Assert.Equal("task-created", subscription.GetProperty("key").GetString());
        var wrong = factory.CreateClient("16010");
        wrong.DefaultRequestHeaders.Add(ClientApp.ApiKeyHeader, app.ApiKey);
        wrong.DefaultRequestHeaders.Add(ClientApp.ApiSecretHeader, "wrong");
        await (await wrong.PostJsonAsync("/webhooks/subscribe", new { url = "http://127.0.0.1:9/hooks", key = "task-created" })).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    // ---- helpers ----

    /// <summary>A client whose token holds exactly the permission codes the original's contract lists for the operation.</summary>
    private HttpClient Client(string method, string template)
    {
        var codes = OriginalContract.Permissions(method, template);
        Assert.NotEmpty(codes);
        return factory.CreateClient([.. codes]);
    }

    /// <summary>As <see cref="Client"/>, for the signed-in user <paramref name="subject"/> (the token's <c>sub</c>).</summary>
    private HttpClient ClientFor(string subject, string method, string template) =>
        factory.CreateClientFor(subject, [.. OriginalContract.Permissions(method, template)]);

    /// <summary>GETs with the filter in the JSON form and in the bracket form; both must answer 200 with the same body.</summary>
    private static async Task<JsonElement> BothFormsAsync(HttpClient client, string path, string parameter, object filter)
    {
        var json = JsonSerializer.Serialize(filter, Http.JsonOptions);
        var separator = path.Contains('?', StringComparison.Ordinal) ? '&' : '?';
        var fromJson = await (await client.GetAsync($"{path}{separator}{parameter}={Uri.EscapeDataString(json)}")).ReadJsonAsync(HttpStatusCode.OK);
        var fromBrackets = await (await client.GetAsync($"{path}{separator}{FilterCases.BracketQuery(json, parameter)}")).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal(fromJson.GetRawText(), fromBrackets.GetRawText());
        return fromJson;
    }

    private async Task<string> TriggerAsync()
    {
        var key = TaskSeeding.NewKey("event");
        var response = await factory.CreateClient("16007").PostJsonAsync("/events/trigger", new { key, payload = new { n = 1 }, source = "compat", description = "an event" });
        await response.AssertStatusAsync(HttpStatusCode.Accepted);
        return key;
    }

    /// <summary>Three tasks (alpha, beta, gamma) with the fields the original requires of a task.</summary>
    private async Task<(string Key, IReadOnlyList<string> Ids)> SeedTasksAsync()
    {
        var key = TaskSeeding.NewKey("compat");
        var ids = await factory.CreateTasksAsync(
            new[] { "alpha", "beta", "gamma" }.Select(name => (object)new { key, name, priority = "high", severity = "low", type = "review", metadata = new { n = name } }).ToArray());
        return (key, ids);
    }

    private async Task<(string Id, string Bpmn)> DeployAsync()
    {
        var (bpmn, _) = Bpmn.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
        var client = factory.CreateClient([.. OriginalContract.Permissions("POST", "/workflows")]);
        var created = await client.DeployAsync(bpmn);
        return (created.GetProperty("id").GetString()!, bpmn);
    }
}
