using System.Net;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

/// <summary>
/// Expected failures are values, not exceptions: a request that names a missing entity (404), contradicts an entity's state
/// (409) or sends invalid input (400) is answered without any exception thrown by TaskService's own code, in the gateway or in
/// a grain. The test runs alone (its own collection) so that no other test's exceptions are counted.
/// </summary>
[Collection(ExpectedFailuresCollection.Name)]
public sealed class ExpectedFailuresTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task NotFoundConflictAndInvalidAnswersThrowNoExceptionInOurCode()
    {
        var cases = await ArrangeAsync();

        await ExpectedAnswer.AssertAnsweredWithoutThrowingAsync(cases);

        Assert.Contains(cases, c => c.Status == HttpStatusCode.NotFound);
        Assert.Contains(cases, c => c.Status == HttpStatusCode.Conflict);
        Assert.Contains(cases, c => c.Status == HttpStatusCode.BadRequest);
    }

    /// <summary>Creates what the cases refer to (outside the counted window) and returns the cases, area by area.</summary>
    private async Task<List<ExpectedAnswer>> ArrangeAsync()
    {
        var admin = factory.CreateClient(TestWorkflows.AllPermissions);
        var missing = Guid.NewGuid().ToString();

        // Tasks and user tasks: one with a completed, a claimed and an assigned user task; one ended task.
        var key = TaskSeeding.NewKey("expected");
        var ids = await factory.CreateTasksAsync(new { key, name = "open" }, new { key, name = "ended" });
        var (task, ended) = (ids[0], ids[1]);
        var userTasks = await factory.AddUserTasksAsync(task, "done", "held", "free");
        var (done, held, free) = (userTasks[0], userTasks[1], userTasks[2]);
        await (await admin.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{done}/complete")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await factory.CreateClientFor("holder", Permissions.All.ToArray()).PostAsync($"/tasks/{task}/user-tasks/{held}/claim", null))
            .AssertStatusAsync(HttpStatusCode.OK);
        await factory.EndTaskAsync(ended);
        var stranger = factory.CreateClientFor("stranger", Permissions.CompleteUserTask, Permissions.ClaimUserTask);

        // Workflows: one deployed, with a second version, and an input schema the cases violate.
        var (bpmn, processId) = TestWorkflows.WithFreshProcessId(TaskService.Testing.CreateTasksWorkflow.Bpmn("expected"), "expected");
        var workflow = (await admin.DeployAsync(bpmn, new { type = "object", required = new[] { "amount" } })).GetProperty("id").GetString()!;
        await (await admin.PatchJsonAsync($"/workflows/{workflow}", new { bpmnFile = bpmn.Replace("Create tasks", "Create them", StringComparison.Ordinal) }))
            .AssertStatusAsync(HttpStatusCode.NoContent);
        var (otherBpmn, _) = TestWorkflows.WithFreshProcessId(bpmn, processId);

        // A workflow whose input schema holds a pattern, and BPMN files the embedded engine cannot run.
        var (patterned, _) = TestWorkflows.WithFreshProcessId(bpmn, processId);
        var codes = (await admin.DeployAsync(patterned, new { type = "object", properties = new { code = new { type = "string", pattern = "^[A-Z]+$" } } }))
            .GetProperty("id").GetString()!;
        var unsupported = Bpmn("""<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="x" /><bpmn:scriptTask id="x" />""");
        var dangling = Bpmn("""<bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f" sourceRef="s" targetRef="nowhere" /><bpmn:endEvent id="e" />""");
        var badCondition = Bpmn("""
            <bpmn:startEvent id="s" /><bpmn:sequenceFlow id="f0" sourceRef="s" targetRef="g" />
            <bpmn:exclusiveGateway id="g" default="f2" />
            <bpmn:sequenceFlow id="f1" sourceRef="g" targetRef="e"><bpmn:conditionExpression>${amount &gt;</bpmn:conditionExpression></bpmn:sequenceFlow>
            <bpmn:sequenceFlow id="f2" sourceRef="g" targetRef="e" /><bpmn:endEvent id="e" />
            """);
        var tooDeep = string.Concat(Enumerable.Repeat("""{"and":[""", 40)) + """{"name":"x"}""" + string.Concat(Enumerable.Repeat("]}", 40));

        // Client apps and webhooks.
        var app = await ClientApp.CreateAsync(factory);
        var hooks = app.CreateWebhooksClient(factory);
        var keys = app.CreateWebhooksClient(factory, Permissions.CreateApiKey);

        return
        [
            // 404: an entity that does not exist.
            new ExpectedAnswer("GET a missing task", HttpStatusCode.NotFound, () => admin.GetAsync($"/tasks/{missing}")),
            new ExpectedAnswer("PATCH a missing task", HttpStatusCode.NotFound, () => admin.PatchJsonAsync($"/tasks/{missing}", new { name = "x" })),
            new ExpectedAnswer("DELETE a missing task", HttpStatusCode.NotFound, () => admin.DeleteAsync($"/tasks/{missing}")),
            new ExpectedAnswer("GET a missing user task", HttpStatusCode.NotFound, () => admin.GetAsync($"/tasks/{task}/user-tasks/{missing}")),
            new ExpectedAnswer("complete a missing user task", HttpStatusCode.NotFound, () => admin.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{missing}/complete")),
            new ExpectedAnswer("claim a user task of a missing task", HttpStatusCode.NotFound, () => admin.PostAsync($"/tasks/{missing}/user-tasks/{free}/claim", null)),
            new ExpectedAnswer("DELETE a missing user task", HttpStatusCode.NotFound, () => admin.DeleteAsync($"/tasks/{task}/user-tasks/{missing}")),
            new ExpectedAnswer("history of a missing task", HttpStatusCode.NotFound, () => admin.GetAsync($"/tasks/{missing}/history")),
            new ExpectedAnswer("GET a missing workflow", HttpStatusCode.NotFound, () => admin.GetAsync($"/workflows/{missing}")),
            new ExpectedAnswer("PATCH a missing workflow", HttpStatusCode.NotFound, () => admin.PatchJsonAsync($"/workflows/{missing}", new { name = "x" })),
            new ExpectedAnswer("DELETE a missing workflow", HttpStatusCode.NotFound, () => admin.DeleteAsync($"/workflows/{missing}")),
            new ExpectedAnswer("DELETE a missing workflow version", HttpStatusCode.NotFound, () => admin.DeleteAsync($"/workflows/{workflow}/version/99")),
            new ExpectedAnswer("execute a missing workflow", HttpStatusCode.NotFound, () => admin.PostJsonAsync($"/workflows/{missing}/execute", new { input = new { } })),
            new ExpectedAnswer("execute a missing version", HttpStatusCode.NotFound, () => admin.PostJsonAsync($"/workflows/{workflow}/execute", new { input = new { amount = 1 }, workflowVersion = 99 })),
            new ExpectedAnswer("GET a missing instance", HttpStatusCode.NotFound, () => admin.GetAsync($"/workflow-instances/{missing}")),
            new ExpectedAnswer("retry an incident of a missing instance", HttpStatusCode.NotFound, () => admin.PostAsync($"/workflow-instances/{missing}/incidents/{missing}/retry", null)),
            new ExpectedAnswer("complete an external task of a missing instance", HttpStatusCode.NotFound, () => admin.PostAsync($"/workflow-instances/{missing}/external-tasks/{missing}/complete", null)),
            new ExpectedAnswer("cancel a missing instance", HttpStatusCode.NotFound, () => admin.DeleteAsync($"/workflow-instances/{missing}")),
            new ExpectedAnswer("GET a missing event", HttpStatusCode.NotFound, () => admin.GetAsync($"/events/{missing}")),
            new ExpectedAnswer("DELETE a missing event mapping", HttpStatusCode.NotFound, () => admin.DeleteAsync($"/events/mapping/{missing}")),
            new ExpectedAnswer("DELETE a missing task mapping", HttpStatusCode.NotFound, () => admin.DeleteAsync($"/tasks/mapping/{missing}")),
            new ExpectedAnswer("DELETE a missing webhook", HttpStatusCode.NotFound, () => hooks.DeleteAsync($"/webhooks/{missing}")),
            new ExpectedAnswer("GET deliveries of a missing webhook", HttpStatusCode.NotFound, () => hooks.GetAsync($"/webhooks/{missing}/deliveries")),
            new ExpectedAnswer("rotate the secret of another app", HttpStatusCode.NotFound, () => keys.PostAsync($"/client-apps/{missing}/rotate-secret", null)),

            // 409: the request contradicts the entity's state.
            new ExpectedAnswer("complete a completed user task", HttpStatusCode.Conflict, () => admin.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{done}/complete")),
            new ExpectedAnswer("claim a user task another user holds", HttpStatusCode.Conflict, () => stranger.PostAsync($"/tasks/{task}/user-tasks/{held}/claim", null)),
            new ExpectedAnswer("assign a completed user task", HttpStatusCode.Conflict, () => admin.PutAsync($"/tasks/{task}/user-tasks/{done}/assignee", Json(new { userId = "x" }))),
            new ExpectedAnswer("change the status of a completed task", HttpStatusCode.Conflict, () => admin.PatchJsonAsync($"/tasks/{ended}", new { status = "pending" })),
            new ExpectedAnswer("delete a task with user tasks without cascade", HttpStatusCode.Conflict, () => admin.DeleteAsync($"/tasks/{task}?cascade=false")),
            new ExpectedAnswer("deploy a process another workflow deploys", HttpStatusCode.Conflict, () => admin.PostJsonAsync("/workflows", new { name = "again", bpmnFile = bpmn })),

            // 403 from a grain: a user task assigned to someone else.
            new ExpectedAnswer("complete a user task another user holds", HttpStatusCode.Forbidden, () => stranger.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{held}/complete")),

            // 400: invalid input, from the gateway's checks and from the grains.
            new ExpectedAnswer("PATCH a task to completed", HttpStatusCode.BadRequest, () => admin.PatchJsonAsync($"/tasks/{task}", new { status = "completed" })),
            new ExpectedAnswer("PATCH a task to an unknown status", HttpStatusCode.BadRequest, () => admin.PatchJsonAsync($"/tasks/{task}", new { status = "sleeping" })),
            new ExpectedAnswer("PATCH a task with a property it does not take", HttpStatusCode.BadRequest, () => admin.PatchJsonAsync($"/tasks/{task}", new { colour = "red" })),
            new ExpectedAnswer("PATCH a task without a body", HttpStatusCode.BadRequest, () => admin.SendAsync("PATCH", $"/tasks/{task}", "null")),
            new ExpectedAnswer("bulk PATCH without where", HttpStatusCode.BadRequest, () => admin.PatchJsonAsync("/tasks", new { name = "x" })),
            new ExpectedAnswer("a query parameter the route does not read", HttpStatusCode.BadRequest, () => admin.GetAsync($"/tasks/{task}?colour=red")),
            new ExpectedAnswer("a control character in a path id", HttpStatusCode.BadRequest, () => admin.GetAsync($"/tasks/a%01b")),
            new ExpectedAnswer("complete a user task with variables that are not an object", HttpStatusCode.BadRequest,
                () => admin.SendAsync("PATCH", $"/tasks/{task}/user-tasks/{free}/complete", """{"variables": [1, 2]}""")),
            new ExpectedAnswer("trigger an event without a key", HttpStatusCode.BadRequest, () => admin.PostJsonAsync("/events/trigger", new { payload = new { } })),
            new ExpectedAnswer("trigger an event whose payload is not an object", HttpStatusCode.BadRequest, () => admin.PostJsonAsync("/events/trigger", new { key = "k", payload = 5 })),
            new ExpectedAnswer("map an event without a workflow key", HttpStatusCode.BadRequest, () => admin.PostJsonAsync("/events/mapping", new { eventKey = "k" })),
            new ExpectedAnswer("map a task without a task key", HttpStatusCode.BadRequest, () => admin.PostJsonAsync("/tasks/mapping", new { workflowKey = processId })),
            new ExpectedAnswer("deploy without a BPMN file", HttpStatusCode.BadRequest, () => admin.PostJsonAsync("/workflows", new { name = "no file" })),
            new ExpectedAnswer("deploy with an input schema that is not a schema", HttpStatusCode.BadRequest,
                () => admin.PostJsonAsync("/workflows", new { name = "bad schema", bpmnFile = otherBpmn, inputSchema = 5 })),
            new ExpectedAnswer("deploy a new version of another process", HttpStatusCode.BadRequest, () => admin.PatchJsonAsync($"/workflows/{workflow}", new { bpmnFile = otherBpmn })),
            new ExpectedAnswer("delete the latest workflow version", HttpStatusCode.BadRequest, () => admin.DeleteAsync($"/workflows/{workflow}/version/2")),
            new ExpectedAnswer("execute without input", HttpStatusCode.BadRequest, () => admin.PostJsonAsync($"/workflows/{workflow}/execute", new { })),
            new ExpectedAnswer("execute with input the schema refuses", HttpStatusCode.BadRequest, () => admin.PostJsonAsync($"/workflows/{workflow}/execute", new { input = new { } })),
            new ExpectedAnswer("create a client app without a name", HttpStatusCode.BadRequest,
                () => factory.CreateClient(Permissions.CreateApiKey).PostJsonAsync("/client-apps", new { })),
            new ExpectedAnswer("rotate a secret with an overlap that is not a number", HttpStatusCode.BadRequest,
                () => keys.PostAsync($"/client-apps/{app.Id}/rotate-secret?overlapSeconds=soon", null)),
            new ExpectedAnswer("subscribe a URL that is not http", HttpStatusCode.BadRequest, () => hooks.PostJsonAsync("/webhooks/subscribe", new { url = "ftp://example.com/x", key = "k" })),
            new ExpectedAnswer("subscribe without a key", HttpStatusCode.BadRequest, () => hooks.PostJsonAsync("/webhooks/subscribe", new { url = "https://example.com/x" })),
            new ExpectedAnswer("a cascade that is not true or false", HttpStatusCode.BadRequest, () => admin.DeleteAsync($"/tasks/{task}?cascade=maybe")),
            new ExpectedAnswer("PATCH a task with a body that is not JSON", HttpStatusCode.BadRequest, () => admin.SendAsync("PATCH", $"/tasks/{task}", """{"name": """)),
            new ExpectedAnswer("execute with a version that is not a number", HttpStatusCode.BadRequest,
                () => admin.SendAsync("POST", $"/workflows/{workflow}/execute", """{"input": {"amount": 1}, "workflowVersion": "one"}""")),

            // 400 from the filter parser: the first problem is the answer, in the JSON and the bracket form.
            new ExpectedAnswer("a filter on an unknown field", HttpStatusCode.BadRequest, () => admin.GetAsync($"/tasks?{JsonApi.Filter(new { where = new { colour = "red" } })}")),
            new ExpectedAnswer("a where with an unknown operator", HttpStatusCode.BadRequest, () => admin.GetAsync($"/tasks/count?{JsonApi.Where(new { name = new { regexp = "^a" } })}")),
            new ExpectedAnswer("a where nested too deep", HttpStatusCode.BadRequest, () => admin.GetAsync($"/tasks/count?{JsonApi.Where(tooDeep)}")),
            new ExpectedAnswer("a like pattern ending in a lone backslash", HttpStatusCode.BadRequest,
                () => admin.GetAsync($"/tasks?{JsonApi.Filter("""{"where": {"name": {"like": "a\\"}}}""")}")),
            new ExpectedAnswer("a filter holding a lone surrogate", HttpStatusCode.BadRequest, () => admin.GetAsync($"/tasks?{JsonApi.Filter("""{"where": {"name": "\ud800"}}""")}")),
            new ExpectedAnswer("a filter that is not JSON", HttpStatusCode.BadRequest, () => admin.GetAsync($"/tasks?{JsonApi.Filter("""{"where":""")}")),
            new ExpectedAnswer("an order on an unknown field", HttpStatusCode.BadRequest, () => admin.GetAsync($"/tasks?{JsonApi.Filter(new { order = "colour ASC" })}")),
            new ExpectedAnswer("an include of an unknown relation", HttpStatusCode.BadRequest, () => admin.GetAsync($"/tasks?{JsonApi.Filter(new { include = new[] { "owners" } })}")),
            new ExpectedAnswer("a bracket filter whose limit is not a number", HttpStatusCode.BadRequest, () => admin.GetAsync("/tasks?filter[limit]=ten")),
            new ExpectedAnswer("a bracket where nested past its limit", HttpStatusCode.BadRequest,
                () => admin.GetAsync($"/tasks/count?where{string.Concat(Enumerable.Repeat("[a]", 50))}=x")),

            // 400 from the BPMN parser.
            new ExpectedAnswer("deploy a BPMN file that is not XML", HttpStatusCode.BadRequest, () => admin.PostJsonAsync("/workflows", new { name = "not xml", bpmnFile = "<definitions" })),
            new ExpectedAnswer("deploy a BPMN file with an unsupported element", HttpStatusCode.BadRequest, () => admin.PostJsonAsync("/workflows", new { name = "script", bpmnFile = unsupported })),
            new ExpectedAnswer("deploy a BPMN file whose flow leads nowhere", HttpStatusCode.BadRequest, () => admin.PostJsonAsync("/workflows", new { name = "dangling", bpmnFile = dangling })),
            new ExpectedAnswer("deploy a BPMN file whose condition does not compile", HttpStatusCode.BadRequest,
                () => admin.PostJsonAsync("/workflows", new { name = "condition", bpmnFile = badCondition })),
            new ExpectedAnswer("deploy a BPMN file without an executable process", HttpStatusCode.BadRequest,
                () => admin.PostJsonAsync("/workflows", new { name = "idle", bpmnFile = unsupported.Replace("isExecutable=\"true\"", "isExecutable=\"false\"", StringComparison.Ordinal) })),

            // 400 from the input schema checks, on deployment and on execution.
            new ExpectedAnswer("deploy with an input schema whose $ref resolves nowhere", HttpStatusCode.BadRequest,
                () => admin.PostJsonAsync("/workflows", new { name = "ref", bpmnFile = otherBpmn, inputSchema = new Dictionary<string, object> { ["$ref"] = "#/$defs/missing" } })),
            new ExpectedAnswer("deploy with an input schema whose pattern is not a regular expression", HttpStatusCode.BadRequest,
                () => admin.PostJsonAsync("/workflows", new { name = "pattern", bpmnFile = otherBpmn, inputSchema = new { type = "string", pattern = "(unclosed" } })),
            new ExpectedAnswer("deploy with an input schema that refers to itself for ever", HttpStatusCode.BadRequest,
                () => admin.PostJsonAsync("/workflows", new { name = "loop", bpmnFile = otherBpmn, inputSchema = new Dictionary<string, object> { ["$ref"] = "#" } })),
            new ExpectedAnswer("deploy with an input schema holding a lone surrogate", HttpStatusCode.BadRequest,
                () => admin.SendAsync("POST", "/workflows", $$$"""{"name": "surrogate", "bpmnFile": {{{System.Text.Json.JsonSerializer.Serialize(otherBpmn)}}}, "inputSchema": {"const": "\udc00"}}""")),
            new ExpectedAnswer("execute with input the schema's pattern refuses", HttpStatusCode.BadRequest,
                () => admin.PostJsonAsync($"/workflows/{codes}/execute", new { input = new { code = "lower" } })),
        ];
    }

    /// <summary>A Camunda 7 BPMN file with one executable process (a fresh id) holding <paramref name="elements"/>.</summary>
    private static string Bpmn(string elements) =>
        $"""<?xml version="1.0" encoding="UTF-8"?><bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" id="d"><bpmn:process id="p-{Guid.NewGuid():N}" isExecutable="true">{elements}</bpmn:process></bpmn:definitions>""";

    private static StringContent Json(object body) => new(System.Text.Json.JsonSerializer.Serialize(body, JsonApi.JsonOptions), System.Text.Encoding.UTF8, "application/json");
}
