using System.Text.Json;
using TaskService.Commands;
using TaskService.Common;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Outgoing;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Tasks;
using TaskService.Workflows;
using TaskService.Workflows.Embedded;

namespace TaskService.Grains.Tests.Engine;

/// <summary>
/// A new embedded instance runs the commands due at its start before its first write, so a routed event's instance is written
/// once, and without activating its grain; a crash between the command and that write, a failing command and a slow one keep
/// the behaviour they had, and an instance that still has a command to run is handed to its grain.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class InstanceWriteTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    private StoreSpy Spy => fixture.SiloService<StoreSpy>();

    private GrainCallRecorder Calls => fixture.SiloService<GrainCallRecorder>();

    [Fact]
    public async Task ARoutedEventWhoseWorkflowCreatesATaskWritesItsInstanceOnceWithTheTaskCreatedWithoutActivatingItsGrain()
    {
        var (record, mapping) = await MapCreateTasksAsync();

        Assert.True(await fixture.Grains.GetGrain<IEventRouterGrain>(record.Key).RouteAsync(record));

        var instanceId = DeterministicId.From("event-workflow", record.Id, mapping.Id);
        // One write, and it is the completed instance: the start and the create-tasks result together; no read before it.
        Assert.Equal([WorkflowInstanceStatus.Completed], Spy.InstanceWrites[instanceId]);
        // The first the store saw of it is that write (the sweeper may route the event again meanwhile and find the row).
        Assert.Equal($"instance {instanceId} Completed", Spy.Log.First(l => l.StartsWith($"instance {instanceId} ", StringComparison.Ordinal)));

        // The start ran without the instance's grain; asking for the ended instance activates it, which reads the row.
        Assert.Empty(Calls.InstanceCalls(instanceId));
        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(instanceId);
        var details = await Eventually.ReturnsAsync<WorkflowInstanceDetails?>(() => instance.GetAsync(), _ => Spy.InstanceReads.ContainsKey(instanceId), Deadline, "the ended instance is read again");
        Assert.Equal(WorkflowInstanceStatus.Completed, details!.Instance.Status);
        var taskId = Assert.Single(details.Variables.GetProperty("createdTaskIds").EnumerateArray()).GetString()!;
        Assert.Single(TaskCreatedEvents(taskId));

        // So did its task (its key maps no workflow): asking for it reads its rows, which a creation never does.
        var task = fixture.Grains.GetGrain<ITaskGrain>(taskId);
        Assert.NotNull(await Eventually.ReturnsAsync<TaskRecord?>(
            () => task.GetAsync(),
            _ => Spy.Calls.Any(c => c.Method == nameof(ITaskServiceStore.LoadTaskAsync) && Equals(c.Subject, taskId)),
            Deadline,
            "the created task is read again"));
    }

    [Fact]
    public async Task ACrashBetweenTheCommandAndTheInstanceWriteCreatesNoTaskAndNoTaskCreatedTwice()
    {
        var (record, mapping) = await MapCreateTasksAsync();
        var instanceId = DeterministicId.From("event-workflow", record.Id, mapping.Id);
        Spy.FailNextWrite(instanceId);
        var store = fixture.SiloService<ITaskServiceStore>();
        Assert.Equal(EventRecording.New, await store.RecordEventAsync(record));

        // The first routing runs create-tasks, then its instance write fails as if the process died there: the event stays
        // unrouted, and the sweeper routes it again.
        await fixture.Grains.GetGrain<IEventRouterGrain>(record.Key).AcceptAsync(record, force: true);

        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(instanceId);
        var details = await Eventually.ReturnsAsync(instance.GetAsync, d => d?.Instance.Status == WorkflowInstanceStatus.Completed, Deadline, "the event is routed again");
        await Eventually.ReturnsAsync(() => store.RecordEventAsync(record), r => r == EventRecording.Routed, Deadline, "the event is marked routed");

        var taskId = Assert.Single(details!.Variables.GetProperty("createdTaskIds").EnumerateArray()).GetString()!;
        var taskCreated = Assert.Single(TaskCreatedEvents(taskId));
        var log = Spy.Log.ToList();
        // The task and its task-created were made before the failed write; the second run made neither again.
        Assert.True(log.IndexOf($"outbox {taskCreated.Id}") < log.IndexOf($"instance {instanceId} failed"));
        Assert.Equal([WorkflowInstanceStatus.Completed], Spy.InstanceWrites[instanceId]);
        var key = (await fixture.Grains.GetGrain<ITaskGrain>(taskId).GetAsync())!.Key;
        var query = fixture.Grains.GetGrain<TaskService.Queries.IQueryGrain>(0);
        var where = TaskService.Queries.FilterParser.ParseWhere($$"""{"key":"{{key}}"}""", TaskService.Queries.EntitySchemas.Task).OrThrow();
        Assert.Equal(1, await query.CountAsync(TaskService.Queries.EntityKind.Task, where));
    }

    [Fact]
    public async Task ACommandFailingInsideTheStartIsWrittenWithItsRetryDueAndBecomesAnIncidentAfterTheRetries()
    {
        var script = NewScript(new ScriptedCommand.Script { AlwaysFail = true }, out var scriptKey);

        var details = await StartAsync(Bpmn.Scripted(NewProcessId()), $$"""{"script":"{{scriptKey}}"}""");

        // The start ran the first attempt and was written with its failure and the retry after the backoff.
        var external = Assert.Single(details.ExternalTasks);
        Assert.Equal(1, external.Failures);
        Assert.Equal("scripted failure 1", external.LastError);
        // The retry is due a backoff after the failure, which came after the start (the write itself may come later still, on
        // a loaded machine, than the retry's due time).
        Assert.True(external.NextAttemptAt > details.Instance.CreatedOn);
        Assert.Empty(details.Incidents);
        var startWrite = JsonSerializer.Deserialize<WorkflowInstanceState>(Spy.InstanceStates[details.Instance.Id].First(), ContractJson.Options)!;
        var written = Assert.Single(startWrite.ExternalTasks);
        Assert.Equal(1, written.Failures);
        Assert.Equal(external.NextAttemptAt, written.NextAttemptAt);

        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(details.Instance.Id);
        details = (await Eventually.ReturnsAsync(instance.GetAsync, d => d!.Incidents.Count > 0, Deadline, "an incident is raised"))!;
        Assert.Equal(4, script.Calls); // the attempt at the start and three retries
        Assert.Equal(4, Spy.WritesOf(details.Instance.Id)); // the start with the first attempt, then one write per retry
        Assert.Contains("failed 4 time(s)", Assert.Single(details.Incidents).Message, StringComparison.Ordinal);
        Assert.Null(Assert.Single(details.ExternalTasks).NextAttemptAt);
    }

    [Fact]
    public async Task ACommandSlowerThanTheStartsWaitLetsTheStartBeWrittenAndIsWrittenWhenItEnds()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var script = NewScript(new ScriptedCommand.Script { Hold = hold }, out var scriptKey);

        var details = await StartAsync(Bpmn.Scripted(NewProcessId()), $$"""{"script":"{{scriptKey}}"}""");

        // Written as before the change: the start with its command due, the command under way.
        Assert.Equal(0, Assert.Single(details.ExternalTasks).Failures);
        Assert.Equal([WorkflowInstanceStatus.Active], Spy.InstanceWrites[details.Instance.Id]);
        Assert.Equal(1, script.Calls);

        hold.SetResult();
        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(details.Instance.Id);
        details = (await Eventually.ReturnsAsync(instance.GetAsync, d => d!.UserTasks.Any(u => u.ElementId == "after"), Deadline, "the command's result is written"))!;
        Assert.Empty(details.ExternalTasks);
        Assert.Equal(1, script.Calls);
        Assert.Equal(2, Spy.WritesOf(details.Instance.Id));
    }

    [Fact]
    public async Task AStartOnANewActivationOfAWrittenInstanceFindsItsRowAndAnswersItWritingNothingTwice()
    {
        var (record, mapping) = await MapCreateTasksAsync();
        var engine = fixture.SiloService<IWorkflowEngine>();
        var instanceId = DeterministicId.From("event-workflow", record.Id, mapping.Id);
        var first = (await engine.StartAsync(mapping.WorkflowKey, record.Payload, instanceId)).OrThrow();
        Assert.False(Spy.InstanceReads.ContainsKey(instanceId));

        // A new activation knows nothing of the row, as after a crash before the event was marked routed; the start comes again.
        await fixture.Grains.GetGrain<IManagementGrain>(0).ForceActivationCollection(TimeSpan.Zero);
        var again = (await engine.StartAsync(mapping.WorkflowKey, record.Payload, instanceId)).OrThrow();

        Assert.Equal(first.InstanceId, again.InstanceId);
        Assert.Contains($"instance {instanceId} was there", Spy.Log);
        Assert.Equal([WorkflowInstanceStatus.Completed], Spy.InstanceWrites[instanceId]);
        var details = await fixture.Grains.GetGrain<IWorkflowInstanceGrain>(instanceId).GetAsync();
        Assert.Equal(WorkflowInstanceStatus.Completed, details!.Instance.Status);
        var taskId = Assert.Single(details.Variables.GetProperty("createdTaskIds").EnumerateArray()).GetString()!;
        Assert.Single(TaskCreatedEvents(taskId));
    }

    [Fact]
    public async Task ARoutedStartWhoseCommandOutrunsTheWaitIsWrittenWithTheCommandLeasedAndItsGrainTakesWhatItDid()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var script = NewScript(new ScriptedCommand.Script { Hold = hold }, out var scriptKey);
        var processId = NewProcessId();
        await DeployAsync(Bpmn.Scripted(processId));
        var instanceId = Guid.NewGuid().ToString();
        var startedAt = DateTimeOffset.UtcNow;

        // The engine's start (an event router's) returns once the start's wait is over, the command still running.
        var start = (await Engine.StartAsync(processId, JsonElementFactory.Parse($$"""{"script":"{{scriptKey}}"}"""), instanceId)).OrThrow();
        Assert.Empty(start.PendingUserTasks);

        // Written with the command leased until its timeout: neither the sweeper nor the grain runs it again meanwhile.
        var startWrite = JsonSerializer.Deserialize<WorkflowInstanceState>(Assert.Single(Spy.InstanceStates[instanceId]), ContractJson.Options)!;
        var leased = Assert.Single(startWrite.ExternalTasks);
        Assert.True(leased.NextAttemptAt >= startedAt + new WorkflowEngineOptions().CommandTimeout, $"leased until {leased.NextAttemptAt}");
        Assert.Equal(1, script.Calls);

        hold.SetResult();
        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(instanceId);
        var details = (await Eventually.ReturnsAsync(instance.GetAsync, d => d!.UserTasks.Any(u => u.ElementId == "after"), Deadline, "the command's result reaches the instance"))!;
        Assert.Empty(details.ExternalTasks);
        Assert.Equal(1, details.Variables.GetProperty("scriptedRuns").GetInt32());
        Assert.Equal(1, script.Calls);
        Assert.Equal(2, Spy.WritesOf(instanceId));
        Assert.Contains(nameof(IEmbeddedInstanceHandOver.ApplyCommandOutcomeAsync), Calls.InstanceCalls(instanceId));
    }

    [Fact]
    public async Task ARoutedStartWhoseCommandFailsHandsTheRetryToItsGrainAtOnce()
    {
        var script = NewScript(new ScriptedCommand.Script { FailTimes = 1 }, out var scriptKey);
        var processId = NewProcessId();
        await DeployAsync(Bpmn.Scripted(processId));
        var instanceId = Guid.NewGuid().ToString();

        (await Engine.StartAsync(processId, JsonElementFactory.Parse($$"""{"script":"{{scriptKey}}"}"""), instanceId)).OrThrow();

        // Woken by the start, the grain runs the retry after its backoff; no sweep is needed (nor waited for).
        Assert.Equal([nameof(IEmbeddedInstanceHandOver.WakeAsync)], Calls.InstanceCalls(instanceId));
        await Eventually.ReturnsAsync(() => Task.FromResult(Spy.WritesOf(instanceId)), writes => writes == 2, Deadline, "the retry is written");
        var details = await fixture.Grains.GetGrain<IWorkflowInstanceGrain>(instanceId).GetAsync();
        Assert.Equal(2, script.Calls);
        Assert.Equal(["after"], details!.UserTasks.Select(u => u.ElementId));
    }

    [Fact]
    public async Task AnInstanceAskedForBeforeItsStartIsWrittenIsFoundOnceItIs()
    {
        var processId = NewProcessId();
        await DeployAsync(Bpmn.Scripted(processId));
        NewScript(new ScriptedCommand.Script(), out var scriptKey);
        var instanceId = Guid.NewGuid().ToString();
        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(instanceId);

        // The grain is active and has read no row; the start runs outside it and writes one.
        Assert.Null(await instance.GetAsync());
        var start = (await Engine.StartAsync(processId, JsonElementFactory.Parse($$"""{"script":"{{scriptKey}}"}"""), instanceId)).OrThrow();

        var userTask = Assert.Single(start.PendingUserTasks);
        var details = await instance.GetAsync();
        Assert.NotNull(details);
        Assert.Equal(WorkflowInstanceStatus.Active, details.Instance.Status);
        var completed = (await instance.CompleteUserTaskAsync(userTask.ExternalId, null)).OrThrow();
        Assert.Equal(WorkflowInstanceStatus.Completed, completed.Instance.Status);
    }

    private IWorkflowEngine Engine => fixture.SiloService<IWorkflowEngine>();

    /// <summary>Deploys a workflow, which the engine then starts by its process id.</summary>
    private async Task DeployAsync(string bpmn) =>
        (await fixture.Grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString())
            .CreateAsync(new NewWorkflow { Name = "test", BpmnFile = bpmn, InputSchema = JsonElementFactory.Parse("{}") })).OrThrow();

    [Fact]
    public async Task AnEventsWorkflowCreatesItsTaskWhileTheEventIsRecordedAndTheAnswerAndTheRoutedNoteWaitForTheRecord()
    {
        var (record, mapping) = await MapCreateTasksAsync();
        var instanceId = DeterministicId.From("event-workflow", record.Id, mapping.Id);

        var (answer, recorded) = await PublishWithTheRecordHeldAsync(record, instanceId);
        try
        {
            Assert.False(answer.IsCompleted);
            Assert.False(Spy.MarkedRouted(record.Id));
        }
        finally
        {
            recorded.TrySetResult();
        }

        Assert.False((await answer).Busy);
        var store = fixture.SiloService<ITaskServiceStore>();
        await Eventually.ReturnsAsync(() => store.RecordEventAsync(record), r => r == EventRecording.Routed, Deadline, "the event is marked routed once recorded");
        await AssertOneTaskCreatedAsync(instanceId);
    }

    [Fact]
    public async Task AnEventWhoseRecordFailsWhileItsWorkflowRunsIsRecordedByItsRoutingAndARetryStartsNothingTwice()
    {
        var (record, mapping) = await MapCreateTasksAsync();
        var instanceId = DeterministicId.From("event-workflow", record.Id, mapping.Id);

        var (answer, recorded) = await PublishWithTheRecordHeldAsync(record, instanceId);
        recorded.SetException(new IOException("The database went away before the event was written (test)."));

        // The sender hears of the failure. The task its workflow created keeps its event: the routing records it again.
        var failure = await Assert.ThrowsAnyAsync<Exception>(() => answer);
        Assert.Contains("database went away", failure.Message, StringComparison.Ordinal);
        await Eventually.ReturnsAsync(() => Task.FromResult(Spy.MarkedRouted(record.Id)), marked => marked, Deadline, "the routing records the event and marks it routed");
        Assert.Equal(EventRecording.Routed, await fixture.SiloService<ITaskServiceStore>().RecordEventAsync(record));

        // The sender sends it again: a duplicate, and the workflow it started is not started again.
        Assert.False((await fixture.Grains.GetGrain<IEventIngressGrain>(0).TryPublishAsync(record)).Busy);
        Assert.Equal([WorkflowInstanceStatus.Completed], Spy.InstanceWrites[instanceId]);
        await AssertOneTaskCreatedAsync(instanceId);
    }

    [Fact]
    public async Task ARouterOnAnotherSiloThanTheWriteOfTheEventRecordsTheEventItselfBeforeNotingItRouted()
    {
        var (record, mapping) = await MapCreateTasksAsync();
        var instanceId = DeterministicId.From("event-workflow", record.Id, mapping.Id);

        // As from an ingress on another silo: this silo has no write of the event under way, so the router records it too.
        Assert.False((await fixture.Grains.GetGrain<IEventRouterGrain>(record.Key).AcceptWhileRecordedAsync(record, force: false)).Busy);

        await Eventually.ReturnsAsync(() => Task.FromResult(Spy.MarkedRouted(record.Id)), marked => marked, Deadline, "the event is marked routed");
        Assert.Contains(Spy.Calls, c => c.Method == nameof(ITaskServiceStore.RecordEventAsync) && c.Subject is EventRecord { } recorded && recorded.Id == record.Id);
        Assert.Equal(EventRecording.Routed, await fixture.SiloService<ITaskServiceStore>().RecordEventAsync(record));
        await AssertOneTaskCreatedAsync(instanceId);
    }

    /// <summary>
    /// Publishes <paramref name="record"/> through the ingress with its record held, and returns once its workflow has run and
    /// written its instance (the record's commit is not a step on the way): the answer, and the gate that lets the record go on
    /// or fail. A failed wait lets it go on, so that nothing stays held.
    /// </summary>
    private async Task<(Task<EventAcceptance> Answer, TaskCompletionSource Recorded)> PublishWithTheRecordHeldAsync(EventRecord record, string instanceId)
    {
        var recorded = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Spy.HoldNextRecord(record.Id, recorded.Task);
        var answer = fixture.Grains.GetGrain<IEventIngressGrain>(0).TryPublishAsync(record);
        try
        {
            await Eventually.ReturnsAsync(() => Task.FromResult(Spy.WritesOf(instanceId)), writes => writes == 1, Deadline, "the workflow runs while its event is recorded");
        }
        catch
        {
            recorded.TrySetResult();
            throw;
        }

        return (answer, recorded);
    }

    /// <summary>The instance created one task, whose task-created went out once.</summary>
    private async Task AssertOneTaskCreatedAsync(string instanceId)
    {
        var details = await fixture.Grains.GetGrain<IWorkflowInstanceGrain>(instanceId).GetAsync();
        Assert.Single(TaskCreatedEvents(Assert.Single(details!.Variables.GetProperty("createdTaskIds").EnumerateArray()).GetString()!));
    }

    private IEnumerable<OutgoingEvent> TaskCreatedEvents(string taskId) =>
        Spy.OutboxAdded.Where(e => e.Key == OutgoingEventTypes.TaskCreated && e.Payload.GetRawText().Contains(taskId, StringComparison.Ordinal));

    /// <summary>A workflow that runs create-tasks on the event's <c>tasks</c>, mapped to a new event key, and an event for it.</summary>
    private async Task<(EventRecord Record, EventWorkflowMapping Mapping)> MapCreateTasksAsync()
    {
        var processId = NewProcessId();
        var workflow = fixture.Grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString());
        (await workflow.CreateAsync(new NewWorkflow { Name = "create", BpmnFile = Bpmn.Unhandled(processId, CommandTopics.CreateTasks), InputSchema = JsonElementFactory.Parse("{}") })).OrThrow();
        var eventKey = $"once.{Guid.NewGuid():N}";
        var mapping = (await fixture.Grains.GetGrain<IMappingsGrain>(0).AddEventMappingAsync(eventKey, processId)).OrThrow();
        var record = new EventRecord
        {
            Id = Guid.NewGuid().ToString(),
            Key = eventKey,
            Payload = JsonElementFactory.Parse($$$"""{"tasks":{"values":[{"key":"once-{{{Guid.NewGuid():N}}}","name":"Once"}]}}"""),
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        return (record, mapping);
    }

    private async Task<WorkflowInstanceDetails> StartAsync(string bpmn, string input)
    {
        var workflow = fixture.Grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString());
        (await workflow.CreateAsync(new NewWorkflow { Name = "test", BpmnFile = bpmn, InputSchema = JsonElementFactory.Parse("{}") })).OrThrow();
        return (await workflow.ExecuteAsync(JsonElementFactory.Parse(input), null)).OrThrow();
    }

    private static ScriptedCommand.Script NewScript(ScriptedCommand.Script script, out string key)
    {
        key = Guid.NewGuid().ToString("N");
        ScriptedCommand.Scripts[key] = script;
        return script;
    }

    private static string NewProcessId() => $"p_{Guid.NewGuid():N}";
}
