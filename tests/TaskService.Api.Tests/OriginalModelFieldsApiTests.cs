using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace TaskService.Api.Tests;

/// <summary>
/// The original's id and audit fields (and a workflow's deployment fields) in request bodies: accepted and ignored with the JSON
/// type the original's model gives them or null, as a client that read an entity sends them back; of any other type they are a
/// 400 naming the field and the type, and nothing changes.
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class OriginalModelFieldsApiTests(TaskServiceApiFactory factory)
{
    private const string DateAndTime = "a date and time in ISO 8601 form (for example 2024-01-31T12:00:00Z)";

    [Theory]
    [InlineData("PATCH /tasks/{id}", "deleted", "\"false\"", "true or false")]
    [InlineData("PATCH /tasks/{id}", "createdOn", "5", DateAndTime)]
    [InlineData("PATCH /tasks/{id}", "modifiedOn", "\"yesterday\"", DateAndTime)]
    [InlineData("PATCH /tasks/{id}", "createdBy", "{\"id\": \"u-1\"}", "a string")]
    [InlineData("PATCH /tasks/{id}", "id", "17", "a string")]
    [InlineData("PATCH /tasks?where", "modifiedBy", "7", "a string")]
    [InlineData("PATCH /tasks?where", "deletedOn", "false", DateAndTime)]
    [InlineData("POST /events/mapping", "deletedBy", "[]", "a string")]
    [InlineData("POST /events/mapping", "modifiedOn", "false", DateAndTime)]
    [InlineData("POST /tasks/mapping", "deleted", "0", "true or false")]
    [InlineData("POST /tasks/mapping", "createdOn", "\"2024-13-45\"", DateAndTime)]
    [InlineData("POST /workflows", "externalIdentifier", "1", "a string")]
    [InlineData("POST /workflows", "deleted", "\"no\"", "true or false")]
    [InlineData("PATCH /workflows/{id}", "workflowVersion", "\"2\"", "a number")]
    [InlineData("PATCH /workflows/{id}", "provider", "true", "a string")]
    [InlineData("PATCH /workflows/{id}", "workflowVersions", "{}", "a JSON array")]
    public async Task AToleratedFieldOfTheWrongTypeIs400NamingItAndItsTypeAndChangesNothing(string route, string field, string value, string expected)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (send, unchanged) = await PrepareAsync(client, route);

        var response = await send(field, JsonNode.Parse(value));

        var problem = await response.AssertBadRequestNamingAsync(field);
        Assert.Equal(
            $"'{field}' must be {expected}, or null; the service sets it itself and ignores the value sent.",
            problem.GetProperty("detail").GetString());
        await unchanged();
    }

    [Theory]
    [InlineData("PATCH /tasks/{id}")]
    [InlineData("PATCH /tasks?where")]
    [InlineData("POST /events/mapping")]
    [InlineData("POST /tasks/mapping")]
    [InlineData("POST /workflows")]
    [InlineData("PATCH /workflows/{id}")]
    public async Task ToleratedFieldsOfTheOriginalsTypesOrNullAreStillAcceptedAndIgnored(string route)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (send, _) = await PrepareAsync(client, route);
        var audit = new JsonObject
        {
            ["id"] = "sent-id",
            ["createdOn"] = "2020-01-01T00:00:00.000Z",
            ["modifiedOn"] = "2020-01-01T00:00:00Z",
            ["createdBy"] = "someone",
            ["modifiedBy"] = null,
            ["deleted"] = false,
            ["deletedOn"] = null,
            ["deletedBy"] = null,
        };
        if (route.Contains("workflows", StringComparison.Ordinal))
        {
            audit["workflowVersion"] = 1;
            audit["externalIdentifier"] = "sent-process";
            audit["provider"] = "bpmn";
            audit["workflowVersions"] = new JsonArray(new JsonObject { ["version"] = 1 });
        }

        var response = await send(null, audit);

        Assert.True(response.IsSuccessStatusCode, $"{route}: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        if (response.StatusCode == HttpStatusCode.Created)
        {
            var created = await response.ReadJsonAsync(HttpStatusCode.Created);
            Assert.NotEqual("sent-id", created.GetProperty("id").GetString());
            Assert.NotEqual("someone", created.GetProperty("createdBy").GetString());
        }
    }

    [Theory]
    [InlineData("CreatedOn", "\"2020-01-01T00:00:00Z\"")]
    [InlineData("ID", "\"x\"")]
    [InlineData("Deleted", "true")]
    public async Task ToleratedFieldNamesAreMatchedAsWritten(string field, string value)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (send, unchanged) = await PrepareAsync(client, "PATCH /tasks/{id}");

        var problem = await (await send(field, JsonNode.Parse(value))).AssertBadRequestNamingAsync(field);

        Assert.Equal(
            $"The request body holds the property '{field}', which this route does not take; it takes name, description, status, priority, " +
            "severity, type, assigneeId, startDate, dueDate, metadata, notes, key, endDate, externalId.",
            problem.GetProperty("detail").GetString());
        await unchanged();
    }

    [Theory]
    [InlineData("POST /events/mapping", "createdBy")]
    [InlineData("POST /events/mapping", "id")]
    [InlineData("POST /tasks/mapping", "deleted")]
    public async Task AToleratedFieldGivenTwiceIs400SayingSoAndChangesNothing(string route, string field)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (path, keyField) = route == "POST /events/mapping" ? ("/events/mapping", "eventKey") : ("/tasks/mapping", "taskKey");
        var key = TaskSeeding.NewKey("twice");
        var value = field == "deleted" ? "false" : "\"x\"";
        var body = $"{{\"{keyField}\": \"{key}\", \"workflowKey\": \"some-process\", \"{field}\": {value}, \"{field}\": {value}}}";

        var response = await client.SendAsync("POST", path, body);

        // The serializer reading the request stream does not say which property came twice: the answer says what to fix.
        var problem = await response.AssertBadRequestNamingAsync("body");
        Assert.Equal("The request body must be a JSON object of this route's form that gives each property once.", problem.GetProperty("detail").GetString());
        var mine = JsonApi.Filter(new Dictionary<string, object> { ["where"] = new Dictionary<string, string> { [keyField] = key } });
        Assert.Empty((await client.GetJsonAsync($"{path}?{mine}")).EnumerateArray());
    }

    /// <summary>
    /// Sets up what <paramref name="route"/> changes and returns how to send it a body (a valid change plus the given field, or
    /// plus every property of an object) and how to check that the refused request changed nothing.
    /// </summary>
    private async Task<(Func<string?, JsonNode?, Task<HttpResponseMessage>> Send, Func<Task> Unchanged)> PrepareAsync(HttpClient client, string route)
    {
        Task<HttpResponseMessage> SendBody(string method, string url, JsonObject body, string? field, JsonNode? value)
        {
            if (field is null && value is JsonObject extra)
            {
                foreach (var (name, node) in extra)
                {
                    body[name] = node?.DeepClone();
                }
            }
            else if (field is not null)
            {
                body[field] = value;
            }

            return client.SendAsync(method, url, body.ToJsonString());
        }

        switch (route)
        {
            case "PATCH /tasks/{id}" or "PATCH /tasks?where":
            {
                var key = TaskSeeding.NewKey("tolerated");
                var id = (await factory.CreateTasksAsync(new { key, name = "before" }))[0];
                var url = route == "PATCH /tasks/{id}" ? $"/tasks/{id}" : $"/tasks?{JsonApi.Where(new { key })}";
                return (
                    (field, value) => SendBody("PATCH", url, new JsonObject { ["name"] = "after" }, field, value),
                    async () => Assert.Equal("before", (await client.GetJsonAsync($"/tasks/{id}")).GetProperty("name").GetString()));
            }

            case "POST /events/mapping" or "POST /tasks/mapping":
            {
                var (path, keyField) = route == "POST /events/mapping" ? ("/events/mapping", "eventKey") : ("/tasks/mapping", "taskKey");
                var key = TaskSeeding.NewKey("tolerated");
                var mine = JsonApi.Filter(new Dictionary<string, object> { ["where"] = new Dictionary<string, string> { [keyField] = key } });
                return (
                    (field, value) => SendBody("POST", path, new JsonObject { [keyField] = key, ["workflowKey"] = "some-process" }, field, value),
                    async () => Assert.Empty((await client.GetJsonAsync($"{path}?{mine}")).EnumerateArray()));
            }

            case "POST /workflows":
            {
                var (bpmn, processId) = TestWorkflows.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
                var mine = JsonApi.Filter(new { where = new { externalIdentifier = processId } });
                return (
                    (field, value) => SendBody("POST", "/workflows", new JsonObject { ["name"] = "tolerated", ["bpmnFile"] = bpmn, ["inputSchema"] = new JsonObject { ["type"] = "object" } }, field, value),
                    async () => Assert.Empty((await client.GetJsonAsync($"/workflows?{mine}")).EnumerateArray()));
            }

            case "PATCH /workflows/{id}":
            {
                var (bpmn, _) = TestWorkflows.WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
                var id = (await client.DeployAsync(bpmn)).GetProperty("id").GetString();
                return (
                    (field, value) => SendBody("PATCH", $"/workflows/{id}", new JsonObject { ["description"] = "changed" }, field, value),
                    async () =>
                    {
                        var workflow = await client.GetJsonAsync($"/workflows/{id}");
                        Assert.False(workflow.TryGetProperty("description", out var description) && description.ValueKind == JsonValueKind.String, workflow.ToString());
                    });
            }

            default:
                throw new ArgumentOutOfRangeException(nameof(route), route, "no such case");
        }
    }
}
