using System.Diagnostics;
using System.Net;
using TaskService.Api.Tests;
using TaskService.Camunda.Tests.EngineRest;
using TaskService.Camunda.Tests.Hosting;
using TaskService.Commands;
using TaskService.Workflows.Camunda;

namespace TaskService.Camunda.Tests;


/// <summary>
/// The Camunda worker of the silo under test against the engine-rest endpoint: concurrency, failures and retries, redelivery,
/// and an engine that goes away and comes back. Shares the silo of the lifecycle scenario (tests of a collection run one by one).
/// </summary>
[Collection(ApiCollection.Name)]
public sealed class CamundaWorkerTests(TaskServiceApiFactory factory) : IAsyncLifetime
{
    public Task InitializeAsync() => Task.CompletedTask;

    /// <summary>Whatever the test did, no request to engine-rest (nor answer) may have broken the official description.</summary>
    public Task DisposeAsync()
    {
        Assert.Empty(factory.EngineRest.Violations);
        return Task.CompletedTask;
    }

    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>How much earlier than asked a timer may fire, as the clock reads it (timers count whole milliseconds).</summary>
    private static readonly TimeSpan TimerSlack = TimeSpan.FromMilliseconds(10);

    private FakeCamunda Engine => factory.Engine;

    [Fact]
    public async Task TwoHundredExternalTasksFetchedAtOnceAreHandledConcurrently()
    {
        _ = factory.Server;
        var key = TaskSeeding.NewKey("concurrent");
        Engine.Deploy(key, FakeCamunda.ServiceTaskProcess(key, TestCommands.Concurrency));
        var probe = factory.Commands.Probe;

        var instances = Engine.StartMany(key, 200);
        try
        {
            // All 200 commands are running at the same moment: none finishes before the probe releases them.
            await Eventually.ReturnsAsync(() => Task.FromResult(probe.InFlight), n => n == 200, Deadline, "200 commands run at once");
            Assert.Contains(200, Engine.FetchSizes);
            Assert.True(factory.Worker.Stats.MaxInFlight >= 200);
        }
        finally
        {
            probe.Release();
        }

        await Eventually.ReturnsAsync(
            () => Task.FromResult(Engine.Instances().Count(i => instances.Contains(i.Id) && i.State == "COMPLETED")),
            n => n == 200, Deadline, "every instance completes");
        Assert.All(instances, id => Assert.True(Engine.VariablesOf(id)["probed"].Value!.Value.GetBoolean()));
        Assert.Equal(200, probe.MaxInFlight);
    }

    [Fact]
    public async Task AFailingCommandIsReportedWithDecreasingRetriesUntilAnIncidentAndTheWorkerKeepsPolling()
    {
        _ = factory.Server;
        var failingKey = TaskSeeding.NewKey("failing");
        Engine.Deploy(failingKey, FakeCamunda.ServiceTaskProcess(failingKey, TestCommands.Failing));
        var instance = Engine.Start(failingKey);

        // Retries 3 are configured: four failures, reported with 3, 2, 1 and 0 retries left and a doubling retry timeout.
        var failures = await Eventually.ReturnsAsync(
            () => Task.FromResult(Engine.Failures.Where(f => IsOf(f, instance)).ToArray()),
            f => f.Length >= 4 && Engine.IncidentsOf(instance).Count == 1, Deadline, "the failures run out of retries and raise an incident");
        var own = failures.Where(f => IsOf(f, instance)).ToArray();
        Assert.Equal([3, 2, 1, 0], own.Select(f => f.Retries));
        Assert.Equal([100L, 200L, 400L, 800L], own.Select(f => f.RetryTimeout));
        Assert.All(own, f => Assert.StartsWith("Scripted failure", f.ErrorMessage));

        // Camunda is told the exception's message; no stack trace, no source path, no .NET type name.
        Assert.All(own, f => Assert.Equal(f.ErrorMessage, f.ErrorDetails));
        Assert.All(own, f => Assert.DoesNotContain("Exception", f.ErrorDetails));
        Assert.All(own, f => Assert.DoesNotContain(" at ", f.ErrorDetails));
        Assert.All(own, f => Assert.DoesNotContain(".cs", f.ErrorDetails));
        Assert.All(own, f => Assert.DoesNotContain("TaskService.", f.ErrorDetails));
        Assert.Equal(factory.Worker.WorkerId, own[0].WorkerId);
        var incident = Assert.Single(Engine.IncidentsOf(instance));
        Assert.Equal("failedExternalTask", incident.Type);
        Assert.Equal(own[^1].ErrorMessage, incident.Message);

        // No more attempts once retries ran out, and the worker goes on serving other tasks.
        var counterKey = TaskSeeding.NewKey("after-failure");
        Engine.Deploy(counterKey, FakeCamunda.ServiceTaskProcess(counterKey, TestCommands.Counting));
        var next = Engine.Start(counterKey);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(Engine.Instances().Single(i => i.Id == next).State), s => s == "COMPLETED", Deadline, "the worker keeps polling after failures");
        Assert.Equal(4, Engine.Failures.Count(f => IsOf(f, instance)));

        // The incident shows on the instance through the workflow-instances API, and retrying it gives the command new retries.
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var details = await client.GetJsonAsync($"/workflow-instances/{instance}");
        var shown = Assert.Single(details.GetProperty("incidents").EnumerateArray());
        Assert.StartsWith("Scripted failure", shown.GetProperty("message").GetString());
        var retried = await client.PostJsonAsync($"/workflow-instances/{instance}/incidents/{shown.GetProperty("id").GetString()}/retry", new { });
        await retried.AssertStatusAsync(HttpStatusCode.OK);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(Engine.Failures.Count(f => IsOf(f, instance))), n => n >= 5, Deadline, "the retried command runs again");
        Assert.Equal(2, Engine.Failures.Where(f => IsOf(f, instance)).ElementAt(4).Retries);
    }

    [Fact]
    public async Task WhenTheEngineCannotContinueAfterACompletedTaskTheTaskIsReportedAsFailedUntilAnIncident()
    {
        _ = factory.Server;
        var key = TaskSeeding.NewKey("cannot-continue");
        Engine.Deploy(key, BpmnBuilder.Process(key)
            .StartEvent("Start")
            .ServiceTask("Work", TestCommands.Counting)
            .ExclusiveGateway("Gateway", condition: "${notSet > 1}")
            .EndEvent("End")
            .Build());
        var instance = Engine.Start(key);

        // The command succeeds, but completing its task makes the engine evaluate a condition that fails: the description's 500
        // "could not be resumed", and the engine rolls back. The worker reports a failure instead, so retries run out into an incident.
        await Eventually.ReturnsAsync(
            () => Task.FromResult(Engine.IncidentsOf(instance).Count), n => n == 1, Deadline, "the failures run out of retries and raise an incident");
        var own = Engine.Failures.Where(f => IsOf(f, instance)).ToArray();
        Assert.Equal([3, 2, 1, 0], own.Select(f => f.Retries));
        Assert.All(own, f => Assert.StartsWith($"Camunda could not continue the process after command '{TestCommands.Counting}' succeeded", f.ErrorMessage));
        Assert.All(own, f => Assert.Contains("notSet", f.ErrorMessage));
        Assert.All(own, f => Assert.StartsWith("ProcessEngineException: ", f.ErrorDetails));
        Assert.Equal("ACTIVE", Engine.Instances().Single(i => i.Id == instance).State);
        Assert.Equal(1, factory.Commands.Counter.Runs[own[0].ExternalTaskId]);
    }

    [Fact]
    public async Task ACommandThatReturnsAValueNoCamundaTypeHoldsIsReportedAsAFailureUntilAnIncident()
    {
        _ = factory.Server;
        var key = TaskSeeding.NewKey("overflow");
        Engine.Deploy(key, FakeCamunda.ServiceTaskProcess(key, TestCommands.Overflowing));
        var instance = Engine.Start(key);

        // The command succeeds with {"huge": 1e400}: valid JSON, beyond a Java Double. Nothing can be completed with it, so it is
        // reported as a failure, and the task does not come back at every lock expiry.
        await Eventually.ReturnsAsync(
            () => Task.FromResult(Engine.IncidentsOf(instance).Count), n => n == 1, Deadline, "the failures run out of retries and raise an incident");
        var own = Engine.Failures.Where(f => IsOf(f, instance)).ToArray();
        Assert.Equal([3, 2, 1, 0], own.Select(f => f.Retries));
        Assert.All(own, f => Assert.Contains("beyond the range of a Camunda Double", f.ErrorMessage));
        Assert.DoesNotContain(Engine.Completions, id => id == own[0].ExternalTaskId);
    }

    [Fact]
    public async Task ARedeliveredExternalTaskRunsItsCommandOnceAndItsLockIsExtendedMeanwhile()
    {
        _ = factory.Server;
        var key = TaskSeeding.NewKey("redelivered");
        Engine.Deploy(key, FakeCamunda.ServiceTaskProcess(key, TestCommands.Counting));
        Engine.RedeliverNextTaskOf(TestCommands.Counting);
        var completionsBefore = Engine.Completions.Count;

        var instance = Engine.Start(key, new Dictionary<string, StoredVariable>
        {
            ["order"] = StoredVariable.JavaObject("""{"id":42,"lines":[{"sku":"A-1"}]}""", "com.example.Order"),
        });

        await Eventually.ReturnsAsync(
            () => Task.FromResult(Engine.Instances().Single(i => i.Id == instance).State), s => s == "COMPLETED", Deadline, "the instance completes");
        var run = Assert.Single(factory.Commands.Counter.Runs, r => Engine.Completions.Skip(completionsBefore).Contains(r.Key));
        Assert.Equal(1, run.Value);
        await Eventually.ReturnsAsync(() => Task.FromResult(Engine.RefusedCompletions.Contains(run.Key)), r => r, Deadline, "the second delivery's completion is refused");
        Assert.True(Engine.LockExtensionsOf(instance) >= 1, "the lock is extended while the command runs longer than half the lock");

        // The command saw the Object variable the Java side set as plain JSON, and its result came back as a typed variable.
        var seen = factory.Commands.Counter.SeenVariables.Last(v => v.ContainsKey("order"));
        Assert.Equal(42, seen["order"].GetProperty("id").GetInt32());
        Assert.Equal("A-1", seen["order"].GetProperty("lines")[0].GetProperty("sku").GetString());
        var result = Engine.VariablesOf(instance)["result"];
        Assert.Equal(("Object", CamundaVariables.ObjectMapType, "application/json"), (result.Type, result.ObjectTypeName, result.SerializationDataFormat));
        Assert.Equal("Integer", Engine.VariablesOf(instance)["run"].Type);
    }

    [Fact]
    public async Task AnExternalTaskThatIsGoneOrTakenByAnotherWorkerWhileItsCommandRunsIsLetGoWithoutAFailure()
    {
        _ = factory.Server;
        var key = TaskSeeding.NewKey("let-go");
        Engine.Deploy(key, FakeCamunda.ServiceTaskProcess(key, TestCommands.Held));
        var hold = factory.Commands.Hold;
        var canceled = Engine.Start(key);
        var taken = Engine.Start(key);
        await Eventually.ReturnsAsync(
            () => Task.FromResult(hold.Running.ContainsKey(canceled) && hold.Running.ContainsKey(taken)), r => r, Deadline, "both commands run");
        var errorsBefore = factory.EngineRest.Errors.Count;

        // While the commands run, one instance is canceled (its task is gone: 404) and the other task's lock ran out and another
        // worker took it (400). The next lock extensions are refused so, and the worker stops extending.
        Engine.Cancel(canceled);
        Engine.LockForAnotherWorker(taken, "another-worker", TimeSpan.FromMinutes(1));
        await Eventually.ReturnsAsync(
            () => Task.FromResult(factory.EngineRest.Errors.Skip(errorsBefore).ToArray()),
            e => e.Contains(("extendLock", 404)) && e.Contains(("extendLock", 400)), Deadline, "the lock extensions are refused");
        hold.Release(canceled);
        hold.Release(taken);

        // The completions are refused the same way; neither is reported as a failure (which would spend the task's retries
        // or, for the other worker's task, be refused too), and no command runs again.
        await Eventually.ReturnsAsync(
            () => Task.FromResult(Engine.RefusedCompletions.ToArray()),
            r => r.Contains(hold.Running[canceled]) && r.Contains(hold.Running[taken]), Deadline, "both completions are refused");
        var errors = factory.EngineRest.Errors.Skip(errorsBefore).ToArray();
        Assert.Contains(("completeExternalTaskResource", 404), errors);
        Assert.Contains(("completeExternalTaskResource", 400), errors);
        Assert.DoesNotContain(errors, e => e.OperationId == "handleFailure");
        Assert.DoesNotContain(Engine.Failures, f => IsOf(f, canceled) || IsOf(f, taken));
        Assert.Equal((1, 1), (hold.Runs[canceled], hold.Runs[taken]));
        Assert.Equal("EXTERNALLY_TERMINATED", Engine.Instances().Single(i => i.Id == canceled).State);
        Assert.Equal("ACTIVE", Engine.Instances().Single(i => i.Id == taken).State);
        Assert.Equal(1, Engine.OpenExternalTasks(TestCommands.Held));
        Engine.Cancel(taken);
    }

    [Fact]
    public async Task AnExternalTaskDeliveredTwiceCreatesItsTasksOnce()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (parentKey, childKey, eventKey, taskKey) = await DeployParentAndChildAsync(client);
        Engine.RedeliverNextTaskOf(CommandTopics.CreateTasks);
        var refusedBefore = Engine.RefusedCompletions.Count;

        await TriggerAsync(client, eventKey, taskKey, "contract-1");

        var tasks = await Eventually.ReturnsAsync(
            () => client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key = taskKey } })}"),
            t => t.GetArrayLength() >= 1, Deadline, "the task is created");
        await Eventually.ReturnsAsync(() => Task.FromResult(Engine.RefusedCompletions.Count - refusedBefore), n => n >= 1, Deadline, "the second delivery is handled");
        tasks = await client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key = taskKey } })}");
        var task = Assert.Single(tasks.EnumerateArray());
        var parent = Assert.Single(Engine.Instances(), i => i.Key == parentKey);
        Assert.Equal("COMPLETED", parent.State);
        var child = Assert.Single(Engine.Instances(), i => i.Key == childKey);
        Assert.Equal(task.GetProperty("externalId").GetString(), child.Id);
        Assert.Single((await client.GetJsonAsync($"/tasks/{task.GetProperty("id").GetString()}/user-tasks")).EnumerateArray());
    }

    [Fact]
    public async Task WhenTheEngineIsUnreachableTheWorkerBacksOffRecoversByItselfAndNoTriggeredEventIsLost()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (_, childKey, eventKey, taskKey) = await DeployParentAndChildAsync(client);
        var worker = factory.Worker;

        await Eventually.ReturnsAsync(() => Task.FromResult(worker.Stats.ConsecutiveFailures), n => n == 0, Deadline, "the worker polls the engine");
        await factory.EngineRest.StopAsync();
        try
        {
            // The pause after the k-th failure in a row is 100 ms doubled k-1 times, capped at 800 ms, each ±20 %: measured on the
            // clock between a failed poll's end and the next poll, never shorter than the lowest the backoff allows.
            await Eventually.ReturnsAsync(() => Task.FromResult(worker.Stats.ConsecutiveFailures), n => n >= 5, Deadline, "polls fail while the engine is away");
            var refused = factory.PollAttempts.FailuresSinceLastSuccess();
            Assert.True(refused.Count >= 5, $"the failed polls are recorded ({refused.Count})");
            for (var failure = 1; failure < 5; failure++)
            {
                var pause = Stopwatch.GetElapsedTime(refused[failure - 1].Ended, refused[failure].Sent);
                var lowest = TimeSpan.FromMilliseconds(Math.Min(100 * Math.Pow(2, failure - 1), 800) * (1 - CamundaWorker.PollJitter));
                Assert.True(pause >= lowest - TimerSlack, $"after failure {failure} the worker waits at least {lowest} (waited {pause})");
            }

            Assert.True(worker.Stats.LastBackoff > TimeSpan.FromMilliseconds(300), $"the backoff grows (last {worker.Stats.LastBackoff})");
            Assert.True(worker.Stats.LastBackoff <= TimeSpan.FromMilliseconds(800), $"the backoff stays within MaxPollBackoff (last {worker.Stats.LastBackoff})");

            // Readiness says so, naming the engine.
            var ready = await factory.CreateAnonymousClient().GetAsync("/health/ready");
            var report = await ready.ReadJsonAsync(System.Net.HttpStatusCode.ServiceUnavailable);
            var camunda = Assert.Single(report.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString() == "camunda");
            Assert.Equal("Unhealthy", camunda.GetProperty("status").GetString());
            Assert.Contains("BaseUrl", camunda.GetProperty("description").GetString());

            for (var i = 0; i < 3; i++)
            {
                await TriggerAsync(client, eventKey, taskKey, $"while-down-{i}");
            }

            // The events wait while more polls fail: none creates its task before the engine is back.
            var failedAfterTriggers = worker.Stats.FailedPolls;
            await Eventually.ReturnsAsync(() => Task.FromResult(worker.Stats.FailedPolls), n => n >= failedAfterTriggers + 2, Deadline, "polls keep failing after the events");
            Assert.Equal(0, await client.CountAsync($"/tasks/count?{JsonApi.Where(new { key = taskKey })}"));
        }
        finally
        {
            await factory.EngineRest.StartAsync();
        }

        // Back: polling resumes by itself, the events are routed again, and each creates its task.
        var created = await Eventually.ReturnsAsync(
            () => client.CountAsync($"/tasks/count?{JsonApi.Where(new { key = taskKey })}"), n => n >= 3, Deadline, "every event triggered meanwhile creates its task");
        Assert.Equal(3, created);
        Assert.Equal(0, worker.Stats.ConsecutiveFailures);
        Assert.Equal(3, await client.CountAsync($"/events/count?{JsonApi.Where(new { key = eventKey })}"));
        await (await factory.CreateAnonymousClient().GetAsync("/health/ready")).AssertStatusAsync(System.Net.HttpStatusCode.OK);
        // Each created task starts its child workflow, a moment after the task itself.
        var children = await Eventually.ReturnsAsync(
            () => Task.FromResult(Engine.Instances().Count(i => i.Key == childKey)), n => n >= 3, Deadline, "each created task starts its child workflow");
        Assert.Equal(3, children);
    }

    [Fact]
    public async Task CompletingAUserTaskWhileTheEngineIsAwayIsA503AndTheUserTaskStaysPending()
    {
        var client = factory.CreateClient(TestWorkflows.AllPermissions);
        var (_, _, eventKey, taskKey) = await DeployParentAndChildAsync(client);
        await TriggerAsync(client, eventKey, taskKey, "engine-away");
        var task = await Eventually.ReturnsAsync(
            () => client.GetJsonAsync($"/tasks?{JsonApi.Filter(new { where = new { key = taskKey } })}"), t => t.GetArrayLength() == 1, Deadline, "the task is created");
        var taskId = task[0].GetProperty("id").GetString()!;

        // The task's own workflow starts a moment after the task, and with it the user task.
        var userTasks = await Eventually.ReturnsAsync(
            () => client.GetJsonAsync($"/tasks/{taskId}/user-tasks"), u => u.GetArrayLength() == 1, Deadline, "the task's workflow records its user task");
        var userTaskId = userTasks[0].GetProperty("id").GetString()!;

        await factory.EngineRest.StopAsync();
        HttpResponseMessage completing;
        try
        {
            completing = await client.SendAsync("PATCH", $"/tasks/{taskId}/user-tasks/{userTaskId}/complete", """{"variables": {"approved": true}}""");
        }
        finally
        {
            await factory.EngineRest.StartAsync();
        }

        var problem = await completing.AssertProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal(TimeSpan.FromSeconds(5), completing.Headers.RetryAfter?.Delta);
        Assert.Contains("Camunda engine could not be reached", problem.GetProperty("detail").GetString());
        var userTask = Assert.Single((await client.GetJsonAsync($"/tasks/{taskId}/user-tasks")).EnumerateArray());
        Assert.Equal("pending", userTask.GetProperty("status").GetString());

        // Once the engine answers, the same request completes it.
        var completed = await client.SendAsync("PATCH", $"/tasks/{taskId}/user-tasks/{userTaskId}/complete", """{"variables": {"approved": true}}""");
        Assert.True(completed.IsSuccessStatusCode, $"{(int)completed.StatusCode}: {await completed.Content.ReadAsStringAsync()}");
    }

    private static bool IsOf(FakeCamunda.ReportedFailure failure, string instanceId) => failure.InstanceId == instanceId;

    private static Task<(string ParentKey, string ChildKey, string EventKey, string TaskKey)> DeployParentAndChildAsync(HttpClient client) =>
        client.DeployParentAndChildAsync("case.opened", "review");

    private static async Task TriggerAsync(HttpClient client, string eventKey, string taskKey, string caseId)
    {
        var response = await client.PostJsonAsync(
            "/events/trigger", TestEvent.Keyed(eventKey).From("tests").Described(caseId).With("caseId", caseId).CreatingTask(taskKey, $"Review {caseId}").Trigger);
        await response.AssertStatusAsync(HttpStatusCode.Accepted);
    }
}
