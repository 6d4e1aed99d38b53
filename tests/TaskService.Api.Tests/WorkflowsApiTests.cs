using System.Net;
using System.Text.Json;
using TaskService.Gateway.Auth;

namespace TaskService.Api.Tests;

[Collection(ApiCollection.Name)]
public sealed class WorkflowsApiTests(TaskServiceApiFactory factory)
{
    private const string StartToEnd = """
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="end" />
            <bpmn:endEvent id="end" />
        """;

    public static TheoryData<string, string, string> RejectedDeployments => new()
    {
        { "outside the subset", Process("""
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Script_1" />
            <bpmn:scriptTask id="Script_1" scriptFormat="javascript"><bpmn:script>1</bpmn:script></bpmn:scriptTask>
            <bpmn:sequenceFlow id="f2" sourceRef="Script_1" targetRef="end" />
            <bpmn:endEvent id="end" />
            """), "Script_1" },
        { "a flow to a missing element", Process("""
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="Flow_dangling" sourceRef="start" targetRef="Nowhere_9" />
            """), "Nowhere_9" },
        { "no start event", Process("""
            <bpmn:userTask id="lonely" />
            <bpmn:sequenceFlow id="f1" sourceRef="lonely" targetRef="end" />
            <bpmn:endEvent id="end" />
            """), "no-start" },
        { "malformed XML", "<bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\"><bpmn:process id=\"broken\" isExecutable=\"true\">", "line" },
        { "a service task without a topic", Process("""
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="Call_1" />
            <bpmn:serviceTask id="Call_1" camunda:class="com.example.Delegate" />
            <bpmn:sequenceFlow id="f2" sourceRef="Call_1" targetRef="end" />
            <bpmn:endEvent id="end" />
            """), "Call_1" },
    };

    [Theory]
    [MemberData(nameof(RejectedDeployments))]
    public async Task DeployingWhatTheEngineCannotRunIs400NamingTheElement(string because, string bpmn, string named)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var response = await client.PostJsonAsync("/workflows", new { name = because, bpmnFile = bpmn, inputSchema = new { type = "object" } });
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        Assert.Contains(problem.GetProperty("errors").EnumerateObject(), e => e.Name.StartsWith("bpmnFile", StringComparison.Ordinal));
        var detail = problem.GetProperty("detail").GetString()!;
        if (named == "no-start")
        {
            Assert.Contains("start", detail, StringComparison.OrdinalIgnoreCase);
        }
        else
        {
            Assert.Contains(named, detail, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("<!DOCTYPE x [<!ENTITY e SYSTEM \"file:///etc/passwd\">]><bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">&e;</bpmn:definitions>")]
    [InlineData("<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aa\"><!ENTITY b \"&a;&a;\">]><bpmn:definitions xmlns:bpmn=\"http://www.omg.org/spec/BPMN/20100524/MODEL\">&b;</bpmn:definitions>")]
    public async Task ABpmnFileWithADoctypeIs400SayingSoWithoutTheXmlReadersInternals(string bpmn)
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);

        var response = await client.PostJsonAsync("/workflows", new { name = "doctype", bpmnFile = bpmn });

        var problem = await response.AssertBadRequestNamingAsync("bpmnFile");
        Assert.Equal("The BPMN file holds a document type declaration (<!DOCTYPE ...>); DTDs and entities are not accepted, remove it.",
            problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task InputThatViolatesTheInputSchemaIs400ListingTheViolations()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, _) = TestWorkflows.WithFreshProcessId(Process(StartToEnd), "process");
        var workflow = await client.DeployAsync(bpmn, new
        {
            type = "object",
            required = new[] { "customerId", "amount" },
            properties = new { customerId = new { type = "string" }, amount = new { type = "number", minimum = 0 } },
        });
        var id = workflow.GetProperty("id").GetString();

        var response = await client.PostJsonAsync($"/workflows/{id}/execute", new { input = new { amount = -5 } });
        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        var all = string.Join(" | ", errors.EnumerateObject().Select(e => $"{e.Name}: {string.Join(", ", e.Value.EnumerateArray().Select(v => v.GetString()))}"));
        Assert.Contains("customerId", all);
        Assert.Contains("input/amount", all);

        var ok = await client.PostJsonAsync($"/workflows/{id}/execute", new { input = new { customerId = "c1", amount = 5 } });
        var instance = await ok.ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("completed", instance.GetProperty("instance").GetProperty("status").GetString());
        Assert.Equal("c1", instance.GetProperty("variables").GetProperty("customerId").GetString());
    }

    [Fact]
    public async Task AChangedBpmnFileDeploysTheNextVersionAndTheLatestVersionCannotBeDeleted()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (v1, processId) = TestWorkflows.WithFreshProcessId(Process(StartToEnd), "process");
        var workflow = await client.DeployAsync(v1);
        var id = workflow.GetProperty("id").GetString();
        Assert.Equal(1, workflow.GetProperty("workflowVersion").GetInt32());
        Assert.Equal(processId, workflow.GetProperty("externalIdentifier").GetString());

        var v2 = v1.Replace("<bpmn:endEvent id=\"end\" />", "<bpmn:endEvent id=\"end\" name=\"Done\" />", StringComparison.Ordinal);
        await (await client.PatchJsonAsync($"/workflows/{id}", new { bpmnFile = v2, description = "second" })).AssertStatusAsync(HttpStatusCode.NoContent);

        var read = await client.GetJsonAsync($"/workflows/{id}?{JsonApi.Filter(new { include = new[] { "workflowVersions" } })}");
        Assert.Equal(2, read.GetProperty("workflowVersion").GetInt32());
        Assert.Equal("second", read.GetProperty("description").GetString());
        Assert.Equal([1, 2], read.GetProperty("workflowVersions").EnumerateArray().Select(v => v.GetProperty("version").GetInt32()));

        await (await client.DeleteAsync($"/workflows/{id}/version/2")).AssertBadRequestNamingAsync("version");
        await (await client.DeleteAsync($"/workflows/{id}/version/9")).AssertNotFoundAsync();
        await (await client.DeleteAsync($"/workflows/{id}/version/abc")).AssertBadRequestNamingAsync("version");
        await (await client.DeleteAsync($"/workflows/{id}/version/99999999999")).AssertBadRequestNamingAsync("version");
        await (await client.DeleteAsync($"/workflows/{id}/version/1")).AssertStatusAsync(HttpStatusCode.NoContent);

        var listed = await client.GetJsonAsync($"/workflows?{JsonApi.Filter(new { where = new { externalIdentifier = processId } })}");
        Assert.Equal(2, Assert.Single(listed.EnumerateArray()).GetProperty("workflowVersion").GetInt32());

        // Another workflow may not take the same process id.
        var duplicate = await client.PostJsonAsync("/workflows", new { name = "copy", bpmnFile = v1, inputSchema = new { type = "object" } });
        await duplicate.AssertProblemAsync(HttpStatusCode.Conflict);

        await (await client.DeleteAsync($"/workflows/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);
        await (await client.GetAsync($"/workflows/{id}")).AssertNotFoundAsync();
    }

    [Fact]
    public async Task PatchingAWorkflowWithNullClearsTheDescriptionResetsTheSchemaAndRefusesANullName()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, _) = TestWorkflows.WithFreshProcessId(Process(StartToEnd), "process");
        var id = (await client.DeployAsync(bpmn)).GetProperty("id").GetString();
        await (await client.PatchJsonAsync($"/workflows/{id}", new { description = "first", inputSchema = new { type = "object", required = new[] { "a" } } }))
            .AssertStatusAsync(HttpStatusCode.NoContent);

        var refused = await client.SendAsync("PATCH", $"/workflows/{id}", """{"name": null, "description": "not applied"}""");
        await refused.AssertBadRequestNamingAsync("name");
        Assert.Equal("first", (await client.GetJsonAsync($"/workflows/{id}")).GetProperty("description").GetString());

        var cleared = await client.SendAsync("PATCH", $"/workflows/{id}", """{"description": null, "inputSchema": null, "bpmnFile": null}""");

        await cleared.AssertStatusAsync(HttpStatusCode.NoContent);
        var read = await client.GetJsonAsync($"/workflows/{id}");
        Assert.True(!read.TryGetProperty("description", out var description) || description.ValueKind == JsonValueKind.Null, read.ToString());
        Assert.Equal("""{"type":"object"}""", read.GetProperty("inputSchema").GetRawText().Replace(" ", string.Empty, StringComparison.Ordinal));
        Assert.Equal(1, read.GetProperty("workflowVersion").GetInt32());
    }

    [Fact]
    public async Task WorkflowRoutesAcceptPermissionNumbersOrNamesAndRefuseOthers()
    {
        var (bpmn, _) = TestWorkflows.WithFreshProcessId(Process(StartToEnd), "process");
        var byName = factory.CreateClient("CreateWorkflow");
        await (await byName.PostJsonAsync("/workflows", new { name = "n", bpmnFile = bpmn, inputSchema = new { } })).AssertStatusAsync(HttpStatusCode.Created);

        var viewer = factory.CreateClient("1");
        await (await viewer.GetAsync("/workflows")).AssertStatusAsync(HttpStatusCode.OK);
        await (await viewer.PostJsonAsync("/workflows", new { name = "n", bpmnFile = bpmn })).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await factory.CreateClient(Permissions.ViewTask).GetAsync("/workflows")).AssertStatusAsync(HttpStatusCode.Forbidden);
        await (await factory.CreateAnonymousClient().GetAsync("/workflows")).AssertStatusAsync(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task AnIncidentIsVisibleThroughTheApiAndAnOperatorCanCompleteAnUnhandledExternalTask()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, _) = TestWorkflows.WithFreshProcessId(Process("""
            <bpmn:startEvent id="start" />
            <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="route" />
            <bpmn:exclusiveGateway id="route" />
            <bpmn:sequenceFlow id="big" sourceRef="route" targetRef="wait">
              <bpmn:conditionExpression xsi:type="bpmn:tFormalExpression">${amount &gt; 100}</bpmn:conditionExpression>
            </bpmn:sequenceFlow>
            <bpmn:serviceTask id="wait" camunda:type="external" camunda:topic="no-such-worker" />
            <bpmn:sequenceFlow id="f3" sourceRef="wait" targetRef="end" />
            <bpmn:endEvent id="end" />
            """), "process");
        var id = (await client.DeployAsync(bpmn)).GetProperty("id").GetString();

        // No flow can be taken: the instance shows an incident at the gateway.
        var stuck = await (await client.PostJsonAsync($"/workflows/{id}/execute", new { input = new { amount = 5 } })).ReadJsonAsync(HttpStatusCode.OK);
        var incident = Assert.Single(stuck.GetProperty("incidents").EnumerateArray());
        Assert.Equal("route", incident.GetProperty("elementId").GetString());
        var instanceId = stuck.GetProperty("instance").GetProperty("id").GetString();
        var listed = await client.GetJsonAsync($"/workflow-instances?{JsonApi.Filter(new { where = new { id = instanceId, incidents = new { gt = 0 } } })}");
        Assert.Equal(listed.GetArrayLength(), await client.CountAsync($"/workflow-instances/count?{JsonApi.Where(new { id = instanceId, incidents = new { gt = 0 } })}"));
        Assert.Single(listed.EnumerateArray());

        // A topic nobody handles waits as an open external task that an operator completes.
        var waiting = await (await client.PostJsonAsync($"/workflows/{id}/execute", new { input = new { amount = 500 } })).ReadJsonAsync(HttpStatusCode.OK);
        var external = Assert.Single(waiting.GetProperty("externalTasks").EnumerateArray());
        Assert.False(external.GetProperty("hasCommand").GetBoolean());
        var waitingId = waiting.GetProperty("instance").GetProperty("id").GetString();
        var done = await (await client.PostJsonAsync($"/workflow-instances/{waitingId}/external-tasks/{external.GetProperty("id").GetString()}/complete", new { variables = new { worker = "ops" } })).ReadJsonAsync(HttpStatusCode.OK);
        Assert.Equal("completed", done.GetProperty("instance").GetProperty("status").GetString());

        await (await client.GetAsync($"/workflow-instances/{Guid.NewGuid()}")).AssertNotFoundAsync();
        await (await client.PostAsync($"/workflow-instances/{instanceId}/incidents/nope/retry", null)).AssertNotFoundAsync();
        await (await client.DeleteAsync($"/workflow-instances/{instanceId}")).AssertStatusAsync(HttpStatusCode.NoContent);
        var canceled = await client.GetJsonAsync($"/workflow-instances/{instanceId}");
        Assert.Equal("canceled", canceled.GetProperty("instance").GetProperty("status").GetString());
    }

    [Fact]
    public async Task DeletingATaskWithCascadeEndsItsWorkflowInstance()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (childBpmn, childKey) = TestWorkflows.WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process");
        await client.DeployAsync(childBpmn);
        var taskKey = TaskSeeding.NewKey("cascade");
        (await client.PostJsonAsync("/tasks/mapping", new { taskKey, workflowKey = childKey })).EnsureSuccessStatusCode();
        var taskId = (await factory.CreateTasksAsync(new { key = taskKey, name = "to delete" })).Single();
        var externalId = (await client.GetJsonAsync($"/tasks/{taskId}")).GetProperty("externalId").GetString();

        await (await client.DeleteAsync($"/tasks/{taskId}?cascade=true")).AssertStatusAsync(HttpStatusCode.NoContent);

        var instance = await client.GetJsonAsync($"/workflow-instances/{externalId}");
        Assert.Equal("canceled", instance.GetProperty("instance").GetProperty("status").GetString());
        Assert.Equal(0, await factory.StoredUserTaskCountAsync(taskId));
    }

    private static string Process(string body) => BpmnBuilder.ProcessOf("process", body);
}
