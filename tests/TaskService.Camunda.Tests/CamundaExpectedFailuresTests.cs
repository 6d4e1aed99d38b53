using System.Net;
using TaskService.Api.Tests;
using TaskService.Camunda.Tests.EngineRest;
using TaskService.Camunda.Tests.Hosting;
using TaskService.Workflows.Camunda;

namespace TaskService.Camunda.Tests;


/// <summary>
/// With Camunda as the engine, what engine-rest refuses as an expected outcome (a task that is gone, one another worker holds, a
/// process that cannot continue, a start refused) reaches the caller as a value: a 404, 409 or 400 answer over
/// HTTP, a <see cref="CamundaRefusal"/> from the client, with no exception thrown by TaskService's own code on the way.
/// </summary>
[Collection(CamundaExpectedFailuresCollection.Name)]
public sealed class CamundaExpectedFailuresTests(TaskServiceApiFactory factory) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    public Task DisposeAsync()
    {
        Assert.Empty(factory.EngineRest.Violations);
        return Task.CompletedTask;
    }

    [Fact]
    public async Task EngineRefusalsAnsweredAs404409And400ThrowNoExceptionInOurCode()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);

        // Instances of a process deployed by another client: one whose task another worker holds, one whose task cannot finish
        // without a variable the condition after it reads.
        var key = $"expected-{Guid.NewGuid():N}";
        factory.Engine.Deploy(key, FakeCamunda.ConditionAfterTaskProcess(key, $"nobody-polls-{key}"));
        var held = factory.Engine.Start(key);
        factory.Engine.LockForAnotherWorker(held, "another-worker", TimeSpan.FromMinutes(5));
        var open = factory.Engine.Start(key);
        var heldTask = await ExternalTaskOfAsync(client, held);
        var openTask = await ExternalTaskOfAsync(client, open);

        // A workflow whose start Camunda refuses: the condition right after the start reads a variable the input lacks.
        var (refusedBpmn, refusedKey) = TestWorkflows.WithFreshProcessId(BpmnBuilder.Process("refused-start")
            .StartEvent("Start")
            .ExclusiveGateway("Gateway", condition: "${order.amount > 1}")
            .EndEvent("End")
            .Build(), "refused-start");
        var refusedStart = (await client.DeployAsync(refusedBpmn)).GetProperty("id").GetString()!;

        // A workflow with a version the engine runs.
        var (bpmn, _) = TestWorkflows.WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process");
        var deployed = (await client.DeployAsync(bpmn)).GetProperty("id").GetString()!;

        ExpectedAnswer[] cases =
        [
            new ExpectedAnswer("complete an external task the engine does not know", HttpStatusCode.NotFound,
                () => client.PostJsonAsync($"/workflow-instances/{open}/external-tasks/no-such-task/complete", new { })),
            new ExpectedAnswer("retry an incident the engine does not know", HttpStatusCode.NotFound,
                () => client.PostJsonAsync($"/workflow-instances/{open}/incidents/no-such-incident/retry", new { })),
            new ExpectedAnswer("complete an external task another worker holds", HttpStatusCode.Conflict,
                () => client.PostJsonAsync($"/workflow-instances/{held}/external-tasks/{heldTask}/complete", new { variables = new { order = new { amount = 5 } } })),
            new ExpectedAnswer("complete an external task the engine cannot finish", HttpStatusCode.Conflict,
                () => client.PostJsonAsync($"/workflow-instances/{open}/external-tasks/{openTask}/complete", new { variables = new { note = "x" } })),
            new ExpectedAnswer("complete an external task with a number no Camunda type holds", HttpStatusCode.BadRequest,
                () => client.SendAsync("POST", $"/workflow-instances/{open}/external-tasks/{openTask}/complete", """{"variables":{"n":1e400}}""")),
            new ExpectedAnswer("execute a workflow whose start Camunda refuses", HttpStatusCode.BadRequest,
                () => client.PostJsonAsync($"/workflows/{refusedStart}/execute", new { input = new { } })),
            new ExpectedAnswer("execute a workflow with a number no Camunda type holds", HttpStatusCode.BadRequest,
                () => client.SendAsync("POST", $"/workflows/{deployed}/execute", """{"input":{"amount":1e400}}""")),
        ];

        await ExpectedAnswer.AssertAnsweredWithoutThrowingAsync(cases, peerNamespace: typeof(FakeCamunda).Namespace);

        // The engine did answer with its refusals (so the cases reached it), and nothing changed there.
        Assert.Contains(("lock", 404), factory.EngineRest.Errors);
        Assert.Contains(("lock", 400), factory.EngineRest.Errors);
        Assert.Contains(("completeExternalTaskResource", 500), factory.EngineRest.Errors);
        Assert.Contains(("startProcessInstance", 500), factory.EngineRest.Errors);
        Assert.Equal("ACTIVE", Assert.Single(factory.Engine.Instances(), i => i.Id == open).State);
        Assert.DoesNotContain(factory.Engine.Instances(), i => i.Key == refusedKey);
    }

    [Fact]
    public async Task TheClientAnswersRefusalsOfWhatIsGoneOrHeldAsValuesWithoutThrowing()
    {
        var client = EngineRestClientContractTests.Client(factory.EngineRest, TaskServiceApiFactory.EngineUser, TaskServiceApiFactory.EnginePassword);
        var key = $"client-refusals-{Guid.NewGuid():N}";
        factory.Engine.Deploy(key, FakeCamunda.ServiceTaskProcess(key, $"nobody-polls-{key}"));
        var held = factory.Engine.Start(key);
        factory.Engine.LockForAnotherWorker(held, "another-worker", TimeSpan.FromMinutes(5));
        var heldTask = Assert.Single(await client.GetExternalTasksAsync(held)).Id;
        var ended = factory.Engine.Start(key);
        factory.Engine.Cancel(ended);

        using var thrown = new ThrownByTaskService(peerNamespace: typeof(FakeCamunda).Namespace);
        var gone = await client.CompleteExternalTaskAsync("no-such-task", new CamundaCompleteExternalTask { WorkerId = "ours" });
        var heldByOther = await client.ExtendLockAsync(heldTask, new CamundaExtendLock { WorkerId = "ours", NewDuration = 5_000 });
        var failureOfOther = await client.HandleFailureAsync(heldTask, new CamundaExternalTaskFailure { WorkerId = "ours", ErrorMessage = "x", Retries = 1, RetryTimeout = 0 });
        var retriesOfGone = await client.SetExternalTaskRetriesAsync("no-such-task", 1);
        var userTaskGone = await client.CompleteTaskAsync("no-such-user-task", new CamundaCompleteTask());
        var linksOfGone = await client.GetIdentityLinksAsync("no-such-user-task", "candidate");
        var variablesOfEnded = await client.GetProcessInstanceVariablesAsync(ended);
        var definitionGone = await client.DeleteProcessDefinitionAsync("no-such-definition", cascade: false);

        Assert.Equal(404, gone.Refusal?.Status);
        Assert.Equal((400, 400), (heldByOther.Refusal?.Status, failureOfOther.Refusal?.Status));
        Assert.False(retriesOfGone);
        Assert.Equal((true, false), (userTaskGone.IsOk, userTaskGone.Value));
        Assert.Null(linksOfGone);
        Assert.Equal((false, "EXTERNALLY_TERMINATED"), (variablesOfEnded.IsRunning, variablesOfEnded.Ended?.State));
        Assert.Equal((true, false), (definitionGone.IsOk, definitionGone.Value));
        Assert.True(thrown.Thrown.Count == 0, string.Join(Environment.NewLine, thrown.Thrown));
    }

    [Fact]
    public async Task TheWorkerLetsGoOfTasksThatAreGoneOrTakenAndFailsUnrepresentableOutputWithoutThrowing()
    {
        _ = factory.Server;
        var deadline = TimeSpan.FromSeconds(30);
        var held = $"let-go-{Guid.NewGuid():N}";
        var overflowing = $"overflow-{Guid.NewGuid():N}";
        factory.Engine.Deploy(held, FakeCamunda.ServiceTaskProcess(held, TestCommands.Held));
        factory.Engine.Deploy(overflowing, FakeCamunda.ServiceTaskProcess(overflowing, TestCommands.Overflowing));
        var hold = factory.Commands.Hold;
        var canceled = factory.Engine.Start(held);
        var taken = factory.Engine.Start(held);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(hold.Running.ContainsKey(canceled) && hold.Running.ContainsKey(taken)), r => r, deadline, "both commands run");

        using var thrown = new ThrownByTaskService(peerNamespace: typeof(FakeCamunda).Namespace);

        // One instance is canceled while its command runs (its task is gone: 404), the other task is taken by another worker
        // (400): lock extensions and completions are refused, and the worker lets both go. A third command returns a number no
        // Camunda type holds: reported as failures until an incident.
        factory.Engine.Cancel(canceled);
        factory.Engine.LockForAnotherWorker(taken, "another-worker", TimeSpan.FromMinutes(1));
        await Eventually.ReturnsAsync(
            () => Task.FromResult(factory.EngineRest.Errors.ToArray()),
            e => e.Contains(("extendLock", 404)) && e.Contains(("extendLock", 400)), deadline, "the lock extensions are refused");
        hold.Release(canceled);
        hold.Release(taken);
        var overflow = factory.Engine.Start(overflowing);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(factory.Engine.RefusedCompletions.ToArray()),
            r => r.Contains(hold.Running[canceled]) && r.Contains(hold.Running[taken]), deadline, "both completions are refused");
        await Eventually.ReturnsAsync(
            () => Task.FromResult(factory.Engine.IncidentsOf(overflow).Count), n => n == 1, deadline, "the overflowing output ends in an incident");

        Assert.Contains(("completeExternalTaskResource", 404), factory.EngineRest.Errors);
        Assert.Contains(("completeExternalTaskResource", 400), factory.EngineRest.Errors);
        Assert.True(thrown.Thrown.Count == 0, string.Join(Environment.NewLine, thrown.Thrown));
    }

    private static async Task<string> ExternalTaskOfAsync(HttpClient client, string instanceId) =>
        Assert.Single((await client.GetJsonAsync($"/workflow-instances/{instanceId}")).GetProperty("externalTasks").EnumerateArray()).GetProperty("id").GetString()!;
}
