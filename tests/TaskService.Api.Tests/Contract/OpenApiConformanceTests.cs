using System.Net.Http.Headers;
using System.Text.Json.Nodes;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests.Contract;

/// <summary>
/// The service's OpenAPI document against the service: every answer any API test receives is checked by
/// <see cref="ContractRecorder"/> (the run fails at the end when one differs); here a request per operation, the document's
/// own completeness, and the checker itself.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OpenApiConformanceTests(TaskServiceApiFactory factory)
{
    [Fact]
    public async Task EveryOperationDeclaresSecurityAndSchemasForItsJsonAnswers()
    {
        var document = JsonNode.Parse(await factory.CreateAnonymousClient().GetStringAsync("/openapi/v1.json"))!;

        Assert.Equal("bearer", document["components"]!["securitySchemes"]!["Bearer"]!["scheme"]!.GetValue<string>());
        var operations = 0;
        foreach (var (path, item) in document["paths"]!.AsObject())
        {
            foreach (var (method, operation) in item!.AsObject())
            {
                operations++;
                Assert.True(operation!["security"] is JsonArray { Count: > 0 }, $"{method} {path} declares its security");
                foreach (var status in new[] { "400", "401", "403", "429" })
                {
                    Assert.True(operation["responses"]![status] is not null, $"{method} {path} declares {status}");
                }

                foreach (var (status, response) in operation["responses"]!.AsObject())
                {
                    foreach (var (_, media) in response!["content"]?.AsObject() ?? [])
                    {
                        Assert.True(media!["schema"] is JsonObject { Count: > 0 }, $"{method} {path} {status} has a schema, not {{}}");
                    }
                }
            }
        }

        Assert.True(operations >= 39, $"the document lists {operations} operations");
    }

    [Fact]
    public async Task ARequestOfEveryKindAnswersAsTheDocumentSays()
    {
        var log = new ContractLog();
        var admin = factory.CreateRecordingClient(log);
        admin.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", factory.CreateToken([.. Permissions.All, .. TestWorkflows.AllPermissions]));
        var key = TaskSeeding.NewKey("conformance");
        var ids = await factory.CreateTasksAsync(new { key, name = "one", metadata = new { a = 1 } }, new { key, name = "two" });
        var userTasks = await factory.AddUserTasksAsync(ids[0], "first", "second");
        var (bpmn, processId) = TestWorkflows.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");

        string[] gets =
        [
            $"/tasks?{JsonApi.Filter(new { where = new { key }, include = new[] { "userTasks" } })}", $"/tasks/{ids[0]}", $"/tasks/count?{JsonApi.Where(new { key })}",
            $"/tasks/{ids[0]}/user-tasks", $"/tasks/{ids[0]}/user-tasks/{userTasks[0]}", $"/tasks/{ids[0]}/user-tasks/count", "/tasks/mapping",
            $"/tasks?{JsonApi.Filter(new { where = new { key }, fields = new[] { "name" } })}", "/events?filter[limit]=2", "/events/count", "/events/mapping",
            "/workflows?filter[include][0]=workflowVersions&filter[limit]=3", "/workflow-instances?filter[limit]=3",
            // Failures: unknown ids, bad filters
            "/tasks/nosuch", "/events/nosuch", $"/tasks/{ids[0]}/user-tasks/nosuch", "/workflows/nosuch", "/workflow-instances/nosuch",
            "/tasks?filter[nosuch]=1", "/tasks/count?where=%7B", "/tasks?unknown=1",
        ];
        foreach (var url in gets)
        {
            await admin.GetAsync(url);
        }

        var workflow = await (await admin.PostJsonAsync("/workflows", new { name = "conformance", bpmnFile = bpmn, inputSchema = new { type = "object" } })).ReadJsonAsync(System.Net.HttpStatusCode.Created);
        var workflowId = workflow.GetProperty("id").GetString()!;
        await admin.GetAsync($"/workflows/{workflowId}");
        await admin.PatchJsonAsync($"/workflows/{workflowId}", new { description = "changed" });
        var eventMapping = await (await admin.PostJsonAsync("/events/mapping", new { eventKey = key, workflowKey = processId })).ReadJsonAsync(System.Net.HttpStatusCode.Created);
        var taskMapping = await (await admin.PostJsonAsync("/tasks/mapping", new { taskKey = key, workflowKey = processId })).ReadJsonAsync(System.Net.HttpStatusCode.Created);
        await admin.PostJsonAsync("/events/trigger", new { key = TaskSeeding.NewKey("unmapped"), payload = new { }, source = "tests", description = "conformance" });
        await admin.PatchJsonAsync($"/tasks/{ids[1]}", new { notes = "n" });
        await admin.PatchJsonAsync($"/tasks?where[key]={Uri.EscapeDataString(key)}", new { priority = "high" });
        await admin.PatchJsonAsync($"/tasks/{ids[1]}", new { status = "completed" });
        await admin.SendAsync("PATCH", $"/tasks/{ids[0]}/user-tasks/{userTasks[0]}/complete");
        await admin.SendAsync("POST", "/events/trigger", "not json");
        await admin.DeleteAsync($"/tasks/{ids[0]}/user-tasks/{userTasks[1]}");
        await admin.DeleteAsync($"/tasks/{ids[0]}/user-tasks?where[name]=nosuch");
        await admin.DeleteAsync($"/events/mapping/{eventMapping.GetProperty("id").GetString()}");
        await admin.DeleteAsync($"/tasks/mapping/{taskMapping.GetProperty("id").GetString()}");
        await admin.DeleteAsync($"/tasks/{ids[1]}");
        await admin.DeleteAsync($"/tasks?where[key]={Uri.EscapeDataString(key)}");
        await admin.DeleteAsync($"/workflows/{workflowId}");

        var app = await ClientApp.CreateAsync(factory);
        var hooks = factory.CreateRecordingClient(log);
        hooks.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", factory.CreateToken(Permissions.SubscribeToWebhook));
        hooks.DefaultRequestHeaders.Add(ClientApp.ApiKeyHeader, app.ApiKey);
        hooks.DefaultRequestHeaders.Add(ClientApp.ApiSecretHeader, app.ApiSecret);
        var subscription = await (await hooks.PostJsonAsync("/webhooks/subscribe", new { url = "http://127.0.0.1:9/hooks", key = "task-created" })).ReadJsonAsync(System.Net.HttpStatusCode.Created);
        await hooks.GetAsync("/webhooks");
        await hooks.DeleteAsync($"/webhooks/{subscription.GetProperty("id").GetString()}");

        var anonymous = factory.CreateRecordingClient(log);
        await anonymous.GetAsync("/tasks");
        var forbidden = factory.CreateRecordingClient(log);
        forbidden.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", factory.CreateToken(Permissions.ViewEvent));
        await forbidden.GetAsync("/tasks");

        var (violations, seen) = log.Check(await factory.ContractAsync());
        Assert.True(violations.Count == 0, string.Join('\n', violations));
        var statuses = seen.Select(k => k.Split(' ')[^1]).ToHashSet();
        Assert.Superset(new HashSet<string> { "200", "201", "202", "204", "400", "401", "403", "404" }, statuses);
        Assert.True(seen.Count >= 35, $"{seen.Count} operation and status pairs: {string.Join(", ", seen.Order())}");
    }

    [Fact]
    public async Task TheCheckerCatchesAnswersTheDocumentDoesNotDescribe()
    {
        var contract = await factory.ContractAsync();

        Assert.NotEmpty(contract.ValidateResponse("GET", "/tasks", 200, "application/json", """[{"id": 5}]"""));
        Assert.NotEmpty(contract.ValidateResponse("GET", "/tasks/count", 200, "application/json", """{"total": "3"}"""));
        Assert.NotEmpty(contract.ValidateResponse("GET", "/tasks", 418, "application/problem+json", "{}"));
        Assert.NotEmpty(contract.ValidateResponse("GET", "/nosuch", 200, "application/json", "{}"));
        Assert.NotEmpty(contract.ValidateResponse("GET", "/tasks/abc", 404, "application/problem+json", """{"status": "404"}"""));
        Assert.NotEmpty(contract.ValidateResponse("GET", "/tasks/count", 200, "text/plain", "3"));
        Assert.Empty(contract.ValidateResponse("GET", "/tasks/abc", 200, "application/json", """{"id": "abc", "userTasks": [{"id": "u", "name": "n"}]}"""));
        Assert.Empty(contract.ValidateResponse("GET", "/tasks/count", 200, "application/json", """{"count": 3}"""));
        Assert.Equal("/tasks/mapping", contract.FindTemplate("GET", "/tasks/mapping"));
        Assert.Equal("/tasks/{id}", contract.FindTemplate("GET", "/tasks/abc"));
    }
}
