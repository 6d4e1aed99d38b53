using System.Net;
using TaskService.Api.Tests;
using TaskService.Camunda.Tests.EngineRest;

namespace TaskService.Camunda.Tests;


/// <summary>The workflows and workflow-instances API with Camunda selected: deployments, versions, instances and cancellation go through engine-rest.</summary>
[Collection(ApiCollection.Name)]
public sealed class CamundaWorkflowsApiTests(TaskServiceApiFactory factory) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Whatever the test did, no request to engine-rest (nor answer) may have broken the official description.</summary>
    public Task DisposeAsync()
    {
        Assert.Empty(factory.EngineRest.Violations);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task DeployingAWorkflowDeploysItToCamundaAndRecordsTheDefinitionOfEachVersion()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, key) = TestWorkflows.WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process");

        var created = await client.DeployAsync(bpmn);
        var id = created.GetProperty("id").GetString()!;
        Assert.Equal("camunda", created.GetProperty("provider").GetString());

        var changed = bpmn.Replace("name=\"Approve\"", "name=\"Approve it\"", StringComparison.Ordinal);
        (await client.PatchJsonAsync($"/workflows/{id}", new { bpmnFile = changed })).EnsureSuccessStatusCode();

        var workflow = await client.GetJsonAsync($"/workflows/{id}?filter={Uri.EscapeDataString("""{"include":["workflowVersions"]}""")}");
        var versions = workflow.GetProperty("workflowVersions").EnumerateArray().OrderBy(v => v.GetProperty("version").GetInt32()).ToArray();
        Assert.Equal(2, versions.Length);
        var definitions = versions.Select(v => v.GetProperty("externalWorkflowId").GetString()!).ToArray();
        Assert.Equal(definitions.Select(d => (d, key)), factory.Engine.Definitions().Where(d => d.Key == key).Select(d => (d.Id, d.Key)));
        Assert.Equal([1, 2], factory.Engine.Definitions().Where(d => d.Key == key).Select(d => d.Version));
    }

    [Fact]
    public async Task ExecutingAWorkflowStartsItInCamundaAndItsInstanceCanBeInspectedAndCanceled()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, key) = TestWorkflows.WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process");
        var id = (await client.DeployAsync(bpmn)).GetProperty("id").GetString()!;

        var started = await (await client.PostJsonAsync($"/workflows/{id}/execute", new { input = new { taskId = "none", amount = 12.5 } })).ReadJsonAsync(HttpStatusCode.OK);
        var instanceId = started.GetProperty("instance").GetProperty("id").GetString()!;
        Assert.Equal("ACTIVE", Assert.Single(factory.Engine.Instances(), i => i.Key == key).State);
        Assert.Equal(instanceId, Assert.Single(factory.Engine.Instances(), i => i.Key == key).Id);

        var details = await client.GetJsonAsync($"/workflow-instances/{instanceId}");
        Assert.Equal("active", details.GetProperty("instance").GetProperty("status").GetString());
        Assert.Equal(id, details.GetProperty("instance").GetProperty("workflowId").GetString());
        Assert.Equal(12.5, details.GetProperty("variables").GetProperty("amount").GetDouble());
        var review = Assert.Single(details.GetProperty("userTasks").EnumerateArray());
        Assert.Equal(["reviewers"], review.GetProperty("candidateGroups").EnumerateArray().Select(g => g.GetString()));
        Assert.Equal("Review", Assert.Single(details.GetProperty("activeElements").EnumerateArray()).GetProperty("elementId").GetString());
        var row = Assert.Single((await client.GetJsonAsync($"/workflow-instances?{JsonApi.Filter(new { where = new { workflowId = id } })}")).EnumerateArray());
        Assert.Equal((instanceId, "active"), (row.GetProperty("id").GetString(), row.GetProperty("status").GetString()));

        await (await client.SendAsync("DELETE", $"/workflow-instances/{instanceId}")).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal("EXTERNALLY_TERMINATED", Assert.Single(factory.Engine.Instances(), i => i.Key == key).State);
        details = await client.GetJsonAsync($"/workflow-instances/{instanceId}");
        Assert.Equal("canceled", details.GetProperty("instance").GetProperty("status").GetString());
        Assert.Equal(12.5, details.GetProperty("variables").GetProperty("amount").GetDouble());

        await (await client.SendAsync("GET", "/workflow-instances/no-such-instance")).AssertStatusAsync(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task DeletingAWorkflowRemovesItsDefinitionsFromCamundaAndTheSameFileDeploysAgainAfterwards()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, key) = TestWorkflows.WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process");
        var id = (await client.DeployAsync(bpmn)).GetProperty("id").GetString()!;
        var changed = bpmn.Replace("name=\"Approve\"", "name=\"Approve it\"", StringComparison.Ordinal);
        (await client.PatchJsonAsync($"/workflows/{id}", new { bpmnFile = changed })).EnsureSuccessStatusCode();
        var first = factory.Engine.Definitions().Single(d => d.Key == key && d.Version == 1).Id;
        var second = factory.Engine.Definitions().Single(d => d.Key == key && d.Version == 2).Id;
        var started = await (await client.PostJsonAsync($"/workflows/{id}/execute", new { input = new { amount = 3 } })).ReadJsonAsync(HttpStatusCode.OK);
        var instanceId = started.GetProperty("instance").GetProperty("id").GetString()!;
        await (await client.SendAsync("DELETE", $"/workflow-instances/{instanceId}")).AssertStatusAsync(HttpStatusCode.NoContent);

        // A version's definition goes with the version, as in the original.
        await (await client.SendAsync("DELETE", $"/workflows/{id}/version/1")).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.Equal([second], factory.Engine.Definitions().Where(d => d.Key == key).Select(d => d.Id));

        // The workflow's definitions go with the workflow, with their ended instances; TaskService's row of the instance stays.
        await (await client.SendAsync("DELETE", $"/workflows/{id}")).AssertStatusAsync(HttpStatusCode.NoContent);
        Assert.DoesNotContain(factory.Engine.Definitions(), d => d.Key == key);
        Assert.DoesNotContain(factory.Engine.Instances(), i => i.Id == instanceId);
        var instance = await client.GetJsonAsync($"/workflow-instances/{instanceId}");
        Assert.Equal("canceled", instance.GetProperty("instance").GetProperty("status").GetString());
        Assert.Equal(3, instance.GetProperty("variables").GetProperty("amount").GetInt32());

        // The process id is free again, and the same file deploys again although Camunda's last deployment of that name holds it
        // unchanged (deploy-changed-only alone would deploy nothing).
        var againId = (await client.DeployAsync(changed)).GetProperty("id").GetString()!;
        var definition = Assert.Single(factory.Engine.Definitions(), d => d.Key == key);
        Assert.NotEqual(second, definition.Id);
        var versions = await client.GetJsonAsync($"/workflows/{againId}?filter={Uri.EscapeDataString("""{"include":["workflowVersions"]}""")}");
        Assert.Equal(definition.Id, Assert.Single(versions.GetProperty("workflowVersions").EnumerateArray()).GetProperty("externalWorkflowId").GetString());
        await (await client.PostJsonAsync($"/workflows/{againId}/execute", new { input = new { amount = 4 } })).AssertStatusAsync(HttpStatusCode.OK);
        Assert.NotEqual(first, definition.Id);
    }

    [Fact]
    public async Task AnEngineThatCannotBeReachedMakesDeployingDeletingAndExecutingA503WithRetryAfterAndChangesNothing()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (deployedBpmn, _) = TestWorkflows.WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process");
        var (bpmn, key) = TestWorkflows.WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process");
        var deployed = (await client.DeployAsync(deployedBpmn)).GetProperty("id").GetString()!;
        var running = (await (await client.PostJsonAsync($"/workflows/{deployed}/execute", new { input = new { amount = 1 } })).ReadJsonAsync(HttpStatusCode.OK))
            .GetProperty("instance").GetProperty("id").GetString()!;

        await factory.EngineRest.StopAsync();
        var answers = new List<HttpResponseMessage>();
        try
        {
            answers.Add(await client.PostJsonAsync("/workflows", new { name = "while the engine is away", bpmnFile = bpmn, inputSchema = new { type = "object" } }));
            answers.Add(await client.PostJsonAsync($"/workflows/{deployed}/execute", new { input = new { amount = 1 } }));
            answers.Add(await client.SendAsync("GET", $"/workflow-instances/{running}"));
            answers.Add(await client.SendAsync("DELETE", $"/workflow-instances/{running}"));
            await (await client.SendAsync("DELETE", $"/workflows/{deployed}")).AssertStatusAsync(HttpStatusCode.Conflict);
        }
        finally
        {
            await factory.EngineRest.StartAsync();
        }

        foreach (var answer in answers)
        {
            var problem = await answer.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
            Assert.Equal(TimeSpan.FromSeconds(5), answer.Headers.RetryAfter?.Delta);
            var detail = problem.GetProperty("detail").GetString()!;
            Assert.Contains("Camunda engine could not be reached", detail);
            Assert.DoesNotContain("127.0.0.1", detail);
            Assert.DoesNotContain("Exception", detail);
        }

        // Nothing changed: no workflow of the new file, the instance still runs; the same requests succeed now.
        Assert.Equal(0, (await client.GetJsonAsync($"/workflows?{JsonApi.Filter(new { where = new { externalIdentifier = key } })}")).GetArrayLength());
        Assert.Equal("ACTIVE", factory.Engine.Instances().Single(i => i.Id == running).State);
        await client.DeployAsync(bpmn);
        Assert.Single(factory.Engine.Definitions(), d => d.Key == key);
        await (await client.PostJsonAsync($"/workflows/{deployed}/execute", new { input = new { amount = 1 } })).AssertStatusAsync(HttpStatusCode.OK);
        await (await client.SendAsync("DELETE", $"/workflow-instances/{running}")).AssertStatusAsync(HttpStatusCode.NoContent);

        // Deleting a workflow whose instances all ended reaches the engine too: 503 while it is away, nothing deleted.
        var (idleBpmn, idleKey) = TestWorkflows.WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process");
        var idle = (await client.DeployAsync(idleBpmn)).GetProperty("id").GetString()!;
        await factory.EngineRest.StopAsync();
        HttpResponseMessage deleting;
        try
        {
            deleting = await client.SendAsync("DELETE", $"/workflows/{idle}");
        }
        finally
        {
            await factory.EngineRest.StartAsync();
        }

        await deleting.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(5), deleting.Headers.RetryAfter?.Delta);
        await (await client.SendAsync("GET", $"/workflows/{idle}")).AssertStatusAsync(HttpStatusCode.OK);
        Assert.Single(factory.Engine.Definitions(), d => d.Key == idleKey);
    }

    [Fact]
    public async Task ANumberNoCamundaTypeHoldsIsA400NamingTheVariables()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (bpmn, key) = TestWorkflows.WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process");
        var id = (await client.DeployAsync(bpmn)).GetProperty("id").GetString()!;

        var refused = await client.SendAsync("POST", $"/workflows/{id}/execute", """{"input":{"amount":1e400}}""");

        var problem = await refused.AssertBadRequestNamingAsync("variables");
        Assert.Contains("beyond the range of a Camunda Double", problem.GetProperty("detail").GetString());
        Assert.DoesNotContain(factory.Engine.Instances(), i => i.Key == key);
    }

    [Fact]
    public async Task CompletingAnExternalTaskTheEngineCannotFinishIsAConflictAndLeavesTheInstanceAsItWas()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var key = $"cannot-finish-{Guid.NewGuid():N}";
        factory.Engine.Deploy(key, FakeCamunda.ConditionAfterTaskProcess(key, $"nobody-polls-{key}"));
        var instance = factory.Engine.Start(key);
        var externalTaskId = Assert.Single((await client.GetJsonAsync($"/workflow-instances/{instance}")).GetProperty("externalTasks").EnumerateArray()).GetProperty("id").GetString()!;

        // The condition after the task reads a variable nobody set: the engine answers 500 and rolls back.
        var refused = await client.PostJsonAsync($"/workflow-instances/{instance}/external-tasks/{externalTaskId}/complete", new { variables = new { note = "x" } });

        var problem = await refused.AssertProblemAsync(HttpStatusCode.Conflict);
        Assert.Contains("could not continue", problem.GetProperty("detail").GetString());
        Assert.Equal("ACTIVE", Assert.Single(factory.Engine.Instances(), i => i.Id == instance).State);
        Assert.Equal(1, factory.Engine.OpenExternalTasks($"nobody-polls-{key}"));

        // With the variable the condition needs (a map, as sent by default), it completes.
        var completed = await client.PostJsonAsync($"/workflow-instances/{instance}/external-tasks/{externalTaskId}/complete", new { variables = new { order = new { amount = 5 } } });
        await completed.AssertStatusAsync(HttpStatusCode.OK);
        Assert.Equal("COMPLETED", Assert.Single(factory.Engine.Instances(), i => i.Id == instance).State);
    }
}
