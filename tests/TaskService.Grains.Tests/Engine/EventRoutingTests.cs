using TaskService.Common;
using TaskService.Events;
using TaskService.Mappings;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Workflows;

namespace TaskService.Grains.Tests.Engine;

[Collection(ClusterCollection.Name)]
public sealed class EventRoutingTests(ClusterFixture fixture)
{
    [Fact]
    public async Task AnEventRecordedButNeverRoutedIsRoutedAgainAndStartsItsWorkflowOnce()
    {
        var processId = $"p_{Guid.NewGuid():N}";
        var workflow = fixture.Grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString());
        await workflow.CreateAsync(new NewWorkflow { Name = "routed", BpmnFile = Bpmn.Parallel(processId), InputSchema = JsonElementFactory.Parse("{}") });
        var eventKey = $"lost.{Guid.NewGuid():N}";
        var mapping = (await fixture.Grains.GetGrain<IMappingsGrain>(0).AddEventMappingAsync(eventKey, processId)).OrThrow();

        // As if the silo that recorded the event went down before putting it on the stream.
        var record = new EventRecord
        {
            Id = Guid.NewGuid().ToString(),
            Key = eventKey,
            Payload = JsonElementFactory.Parse("""{"lost":true}"""),
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
        var store = fixture.SiloService<ITaskServiceStore>();
        Assert.Equal(EventRecording.New, await store.RecordEventAsync(record));

        var instance = fixture.Grains.GetGrain<IWorkflowInstanceGrain>(DeterministicId.From("event-workflow", record.Id, mapping.Id));
        var details = await Eventually.ReturnsAsync<WorkflowInstanceDetails?>(() => instance.GetAsync(), d => d is not null, TimeSpan.FromSeconds(15), "the sweeper routes the event");

        Assert.True(details!.Variables.GetProperty("lost").GetBoolean());
        // The event is marked routed once its instance started, a moment after.
        Assert.Equal(
            EventRecording.Routed,
            await Eventually.ReturnsAsync(() => store.RecordEventAsync(record), r => r == EventRecording.Routed, TimeSpan.FromSeconds(15), "the event is marked routed"));
        var unrouted = await store.GetUnroutedEventsAsync(DateTimeOffset.UtcNow.AddMinutes(1), 10_000);
        Assert.DoesNotContain(unrouted, e => e.Id == record.Id);
    }

    [Fact]
    public async Task ASweepRoutesEveryUnroutedEventHoweverManyPagesTheyFill()
    {
        // A store of the sweeper's own holds exactly these events; the routers mark them routed in the silo's store.
        var sweptStore = new InMemoryTaskServiceStore(TimeProvider.System);
        var siloStore = fixture.SiloService<ITaskServiceStore>();
        var eventKey = $"left.{Guid.NewGuid():N}";
        var recordedAt = DateTimeOffset.UtcNow.AddMinutes(-1).ToUnixTimeMilliseconds();
        var records = Enumerable.Range(0, 25).Select(n => new EventRecord
        {
            Id = $"left-{Guid.NewGuid():N}",
            Key = eventKey,
            Payload = JsonElementFactory.EmptyObject,
            Timestamp = recordedAt + (n % 3), // several events share a timestamp: pages part them by id
        }).ToArray();
        foreach (var record in records)
        {
            await sweptStore.RecordEventAsync(record);
            await siloStore.RecordEventAsync(record);
        }

        var sweeper = SweeperWithPagesOfTen(sweptStore);

        // Three pages (10, 10, 5) in one sweep, each event once.
        Assert.Equal(records.Length, await sweeper.SweepAsync(DateTimeOffset.UtcNow, CancellationToken.None));
        var ids = records.Select(r => r.Id).ToHashSet();
        await Eventually.ReturnsAsync(
            async () => (await siloStore.GetUnroutedEventsAsync(DateTimeOffset.UtcNow.AddMinutes(1), 100_000)).Count(e => ids.Contains(e.Id)),
            left => left == 0,
            TimeSpan.FromSeconds(15),
            "every swept event is routed");
    }

    [Fact]
    public async Task ASweepWakesEveryDueInstanceHoweverManyPagesTheyFill()
    {
        var sweptStore = new InMemoryTaskServiceStore(TimeProvider.System);
        var due = DateTimeOffset.UtcNow.AddMinutes(-5);
        for (var n = 0; n < 25; n++)
        {
            var summary = new WorkflowInstanceSummary
            {
                Id = $"due-{Guid.NewGuid():N}", WorkflowId = "wf", ProcessId = "p", Version = 1,
                Status = WorkflowInstanceStatus.Active, CreatedOn = due, ModifiedOn = due,
            };
            await sweptStore.TryCreateWorkflowInstanceAsync(summary, "{}", due.AddMilliseconds(n % 2)); // pairs share a due time
        }

        var sweeper = SweeperWithPagesOfTen(sweptStore);

        // Three pages (10, 10, 5) in one sweep, each instance once.
        Assert.Equal(25, await sweeper.WakeDueInstancesAsync(DateTimeOffset.UtcNow, CancellationToken.None));
    }

    /// <summary>A sweeper of the fixture's silo reading <paramref name="store"/>, ten rows a page.</summary>
    private UnroutedEventSweeper SweeperWithPagesOfTen(ITaskServiceStore store) => new(
        store,
        fixture.Grains,
        fixture.SiloService<RoutingBacklog>(),
        Microsoft.Extensions.Options.Options.Create(new EventRoutingOptions { SweepBatchSize = 10 }),
        Microsoft.Extensions.Options.Options.Create(new TaskService.Webhooks.WebhookOptions()),
        Microsoft.Extensions.Options.Options.Create(new TaskService.Outgoing.OutboxOptions()),
        TimeProvider.System,
        fixture.SiloService<Microsoft.Extensions.Hosting.IHostApplicationLifetime>(),
        Microsoft.Extensions.Logging.Abstractions.NullLogger<UnroutedEventSweeper>.Instance);

    [Fact]
    public async Task AnEventStartsTheVersionDeployedLastAndNothingOnceItsWorkflowIsDeleted()
    {
        var (processId, workflow) = await DeployParallelAsync("versioned");
        var eventKey = $"versioned.{Guid.NewGuid():N}";
        var mapping = (await fixture.Grains.GetGrain<IMappingsGrain>(0).AddEventMappingAsync(eventKey, processId)).OrThrow();
        var router = fixture.Grains.GetGrain<IEventRouterGrain>(eventKey);
        var startedIds = new List<string>();

        // The first start reads the workflow's id and version into the silo's cache, which a redeploy must clear at once.
        Assert.Equal(1, await RoutedVersionAsync());
        (await workflow.UpdateAsync(new WorkflowUpdate { BpmnFile = Bpmn.Parallel(processId).Replace("name=\"", "name=\"v2 ", StringComparison.Ordinal) })).OrThrow();
        Assert.Equal(2, await RoutedVersionAsync());

        // A workflow with active instances cannot be deleted: cancel them first.
        foreach (var started in startedIds)
        {
            await fixture.Grains.GetGrain<IWorkflowInstanceGrain>(started).CancelAsync("deleting the workflow");
        }

        (await workflow.DeleteAsync()).OrThrow();
        var orphan = NewEvent();
        Assert.True(await router.RouteAsync(orphan));
        Assert.Null(await fixture.Grains.GetGrain<IWorkflowInstanceGrain>(DeterministicId.From("event-workflow", orphan.Id, mapping.Id)).GetAsync());

        async Task<int?> RoutedVersionAsync()
        {
            var record = NewEvent();
            Assert.True(await router.RouteAsync(record));
            startedIds.Add(DeterministicId.From("event-workflow", record.Id, mapping.Id));
            var details = await fixture.Grains.GetGrain<IWorkflowInstanceGrain>(startedIds[^1]).GetAsync();
            return details?.Instance.Version;
        }

        EventRecord NewEvent() => new()
        {
            Id = Guid.NewGuid().ToString(),
            Key = eventKey,
            Payload = JsonElementFactory.Parse("{}"),
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        };
    }

    [Fact]
    public async Task AStartAnswersTheUserTasksTheNewInstanceWaitsOnAndAStartAgainTheSameOnes()
    {
        var (processId, _) = await DeployParallelAsync("waits");
        var engine = fixture.SiloService<IWorkflowEngine>();
        var instanceId = Guid.NewGuid().ToString();

        var first = (await engine.StartAsync(processId, JsonElementFactory.Parse("""{"order":7}"""), instanceId)).OrThrow();
        var again = (await engine.StartAsync(processId, JsonElementFactory.Parse("""{"order":7}"""), instanceId)).OrThrow();

        Assert.Equal(instanceId, first.InstanceId);
        Assert.Equal(["Finance check", "Legal check"], first.PendingUserTasks.Select(u => u.Name).Order());
        var details = await fixture.Grains.GetGrain<IWorkflowInstanceGrain>(instanceId).GetAsync();
        Assert.Equal(details!.UserTasks.Select(u => u.Id).Order(), first.PendingUserTasks.Select(u => u.ExternalId).Order());
        Assert.Equal(first.PendingUserTasks.Select(u => u.ExternalId), again.PendingUserTasks.Select(u => u.ExternalId));
        Assert.Equal(7, details.Variables.GetProperty("order").GetInt32());
    }

    /// <summary>A new workflow of <see cref="Bpmn.Parallel"/> under a process id of its own.</summary>
    private async Task<(string ProcessId, IWorkflowGrain Workflow)> DeployParallelAsync(string name)
    {
        var processId = $"p_{Guid.NewGuid():N}";
        var workflow = fixture.Grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString());
        (await workflow.CreateAsync(new NewWorkflow { Name = name, BpmnFile = Bpmn.Parallel(processId), InputSchema = JsonElementFactory.Parse("{}") })).OrThrow();
        return (processId, workflow);
    }
}
