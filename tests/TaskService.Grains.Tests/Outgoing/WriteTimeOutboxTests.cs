using System.Net;
using System.Text.Json;
using TaskService.ClientApps;
using TaskService.Commands;
using TaskService.Common;
using TaskService.Events;
using TaskService.Grains.Tests.Engine;
using TaskService.Grains.Tests.Webhooks;
using TaskService.Outgoing;
using TaskService.Queries;
using TaskService.Security;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Tasks;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Grains.Tests.Outgoing;

/// <summary>
/// A create-tasks step writes its last task, its <c>task-created</c> event and the event's webhook delivery rows in one store
/// write; the dispatcher hands those rows over without appending them again, a rerun publishes on its own with the stored
/// record, and entries read back from the outbox get their rows as before.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class WriteTimeOutboxTests(ClusterFixture fixture)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(15);

    /// <summary>The store methods that write tasks, outbox entries or delivery rows.</summary>
    private static readonly HashSet<string> PathWrites =
    [
        nameof(ITaskServiceStore.TryCreateTaskAsync), nameof(ITaskServiceStore.SaveTaskAsync), nameof(ITaskServiceStore.AppendOutboxAsync),
        nameof(ITaskServiceStore.AppendClaimedOutboxAsync), nameof(ITaskServiceStore.AppendDeliveriesAsync),
    ];

    private StoreSpy Spy => fixture.SiloService<StoreSpy>();

    private ITaskServiceStore Store => fixture.SiloService<ITaskServiceStore>();

    [Fact]
    public async Task TheLastTaskOfAStepIsWrittenWithItsTaskCreatedAndTheDeliveryRowsInOneStoreWriteAndTheRowsAreNotAppendedAgain()
    {
        var subscription = await SubscribeAsync();
        var context = Context(("first", "First"), ("second", "Second"));

        var taskIds = await RunCreateTasksAsync(context);

        var eventId = TaskCreatedId(context);
        Assert.Equal(2, taskIds.Count);
        var taskCreated = Assert.Single(Spy.OutboxAdded, e => e.Id == eventId);
        var stored = await Task.WhenAll(taskIds.Select(id => fixture.Grains.GetGrain<ITaskGrain>(id).GetAsync()));
        Assert.Equal(JsonElementFactory.From(new { createdTasks = stored }).GetRawText(), taskCreated.Payload.GetRawText());

        // The dispatcher handed the rows over: the event is delivered once.
        await DeliveredOnceAsync(subscription, eventId);

        // One write for the last task, its event and its delivery rows, and none since (no append of its rows by the connector);
        // the first task its own write, as before.
        Assert.Equal([nameof(ITaskServiceStore.TryCreateTaskAsync)], WritesAbout(taskIds[1], eventId));
        Assert.Equal([nameof(ITaskServiceStore.TryCreateTaskAsync)], WritesAbout(taskIds[0], eventId: null));
        await fixture.Grains.GetGrain<IWebhookSubscriptionGrain>(subscription).DeleteAsync();
    }

    [Fact]
    public async Task ALastTaskWithAWorkflowCarriesTaskCreatedInTheWriteThatAttachesItsWorkflow()
    {
        var processId = $"p_{Guid.NewGuid():N}";
        var workflow = fixture.Grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString());
        (await workflow.CreateAsync(new NewWorkflow { Name = "review", BpmnFile = Bpmn.Parallel(processId), InputSchema = JsonElementFactory.Parse("{}") })).OrThrow();
        var key = $"mapped-{Guid.NewGuid():N}";
        (await fixture.Grains.GetGrain<TaskService.Mappings.IMappingsGrain>(0).AddTaskMappingAsync(key, processId)).OrThrow();
        var context = Context((key, "Mapped"));

        var taskId = Assert.Single(await RunCreateTasksAsync(context));

        var eventId = TaskCreatedId(context);
        Assert.Equal([nameof(ITaskServiceStore.TryCreateTaskAsync), nameof(ITaskServiceStore.SaveTaskAsync)], WritesAbout(taskId, eventId));
        var attach = Spy.Calls.Single(c => c.Method == nameof(ITaskServiceStore.SaveTaskAsync) && c.Subject is TaskAggregate a && a.Task.Id == taskId);
        Assert.Equal(2, ((TaskAggregate)attach.Subject!).UserTasks.Count);
        var listed = Assert.Single(Assert.Single(Spy.OutboxAdded, e => e.Id == eventId).Payload.GetProperty("createdTasks").EnumerateArray());
        var task = await fixture.Grains.GetGrain<ITaskGrain>(taskId).GetAsync();
        Assert.Equal(task!.ExternalId, listed.GetProperty("externalId").GetString());
    }

    [Fact]
    public async Task ARerunThatFindsItsTaskPublishesTaskCreatedOnItsOwnWithTheStoredRecordAndWritesNothingTwice()
    {
        var subscription = await SubscribeAsync();
        var context = Context(("rerun", "As the step asks"));
        var taskId = DeterministicId.From("task", context.ExternalTaskId, "0");
        var now = DateTimeOffset.UtcNow;

        // The step ran before and its task was written, then the process went down before the step's event.
        Assert.True(await Store.TryCreateTaskAsync(
            new TaskRecord { Id = taskId, Key = "rerun", Name = "As stored", Status = TaskRecordStatus.Pending, CreatedOn = now, ModifiedOn = now },
            new TaskHistoryEntry { Id = $"history-{taskId}", TaskId = taskId, Action = TaskHistoryActions.Created, By = TaskHistoryActions.WorkflowActor, On = now }));

        Assert.Equal([taskId], await RunCreateTasksAsync(context));
        Assert.Equal([taskId], await RunCreateTasksAsync(context));

        var eventId = TaskCreatedId(context);
        var taskCreated = Assert.Single(Spy.OutboxAdded, e => e.Id == eventId);
        Assert.Equal("As stored", Assert.Single(taskCreated.Payload.GetProperty("createdTasks").EnumerateArray()).GetProperty("name").GetString());
        Assert.Equal(2, Spy.Calls.Count(c => c.Method == nameof(ITaskServiceStore.AppendClaimedOutboxAsync) && Names(c.Subject, eventId)));
        await DeliveredOnceAsync(subscription, eventId);
        await fixture.Grains.GetGrain<IWebhookSubscriptionGrain>(subscription).DeleteAsync();
    }

    [Fact]
    public async Task AnEntryReadBackFromTheOutboxGetsItsRowsAppendedWhenHandedOverAndOnlyOnce()
    {
        var subscription = await SubscribeAsync();
        var dispatcher = fixture.SiloService<OutboxDispatcher>();
        var lost = NewEvent();
        var unclaimed = NewEvent();

        // Written claimed with its rows by a silo that went down before dispatching it: its claim runs out and a claim reads it.
        var write = await dispatcher.PrepareAsync([lost]);
        Assert.Contains(write.Deliveries!, d => d.SubscriptionId == subscription);
        Assert.Single(await Store.AppendClaimedOutboxAsync([lost], TimeSpan.FromMilliseconds(1), write.Deliveries));

        // Written unclaimed (a silo that does not dispatch): it has no rows until it is handed over.
        await Store.AppendOutboxAsync([unclaimed]);
        Assert.Empty(await DeliveriesAsync(subscription, unclaimed.Id));
        dispatcher.Notify();

        foreach (var outgoing in new[] { lost, unclaimed })
        {
            // The lost entry's rows are stored already, so the delivery sweep may deliver it before the claim hands it over.
            await Eventually.ReturnsAsync(
                () => Spy.Calls.Any(c => c.Method == nameof(ITaskServiceStore.AppendDeliveriesAsync) && Names(c.Subject, outgoing.Id)),
                appended => appended, Deadline, $"the claimed entry {outgoing.Id} is handed over with its rows");
            await DeliveredOnceAsync(subscription, outgoing.Id);
        }

        await fixture.Grains.GetGrain<IWebhookSubscriptionGrain>(subscription).DeleteAsync();
    }

    /// <summary>Path writes (<see cref="PathWrites"/>) that touch the task or the event, in order.</summary>
    private string[] WritesAbout(string taskId, string? eventId) =>
    [
        .. Spy.Calls
            .Where(c => PathWrites.Contains(c.Method) && (c.Subject switch
            {
                TaskRecord task => task.Id == taskId,
                TaskAggregate aggregate => aggregate.Task.Id == taskId,
                _ => eventId is not null && Names(c.Subject, eventId),
            }))
            .Select(c => c.Method),
    ];

    /// <summary>Whether a list of outgoing events or delivery rows holds the event.</summary>
    private static bool Names(object? subject, string eventId) => subject switch
    {
        IEnumerable<OutgoingEvent> events => events.Any(e => e.Id == eventId),
        IEnumerable<QueuedDelivery> rows => rows.Any(d => d.Event.Id == eventId),
        _ => false,
    };

    private Task<IReadOnlyList<string>> RunCreateTasksAsync(ExternalTaskContext context) => CreateTasksStep.RunAsync(fixture, context);

    private static ExternalTaskContext Context(params (string Key, string Name)[] tasks) => CreateTasksStep.Context(tasks);

    private static string TaskCreatedId(ExternalTaskContext context) => DeterministicId.From(OutgoingEventTypes.TaskCreated, context.ExternalTaskId);

    private async Task<string> SubscribeAsync()
    {
        ClusterFixture.HostNames.Names[InstantReceiver.Host] = [IPAddress.Parse("93.184.216.34")];
        var appId = $"app-{Guid.NewGuid():N}";
        await Store.TryAddClientAppAsync(new ClientAppRow(
            new ClientAppRecord { Id = appId, Name = appId, ApiKey = $"key-{appId}", CreatedOn = DateTimeOffset.UtcNow },
            fixture.SiloService<ISecretProtector>().Protect("secret")));
        var id = $"sub-{Guid.NewGuid():N}";
        await fixture.Grains.GetGrain<IWebhookSubscriptionGrain>(id).CreateAsync($"http://{InstantReceiver.Host}/hook", OutgoingEventTypes.TaskCreated, appId);
        return id;
    }

    /// <summary>Waits until the subscription's row of the event is delivered: one row, sent once.</summary>
    private async Task DeliveredOnceAsync(string subscriptionId, string eventId)
    {
        await Eventually.ReturnsAsync(
            () => DeliveriesAsync(subscriptionId, eventId),
            rows => rows.Count > 0 && rows.All(r => r.GetProperty("status").GetString() == "delivered"),
            Deadline,
            "the event is delivered");
        var row = Assert.Single(await DeliveriesAsync(subscriptionId, eventId));
        Assert.Equal(1, row.GetProperty("attemptCount").GetInt32());
    }

    private async Task<IReadOnlyList<JsonElement>> DeliveriesAsync(string subscriptionId, string eventId) =>
        await fixture.Grains.GetGrain<IQueryGrain>(0).ListAsync(EntityKind.WebhookDelivery, new QueryFilter
        {
            Where = new AndNode(
            [
                new ConditionNode(["subscriptionId"], FilterOperator.Eq, JsonElementFactory.From(subscriptionId)),
                new ConditionNode(["eventId"], FilterOperator.Eq, JsonElementFactory.From(eventId)),
            ]),
        });

    private static OutgoingEvent NewEvent() => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Key = OutgoingEventTypes.TaskCreated,
        Payload = JsonElementFactory.Parse("""{"createdTasks": []}"""),
        Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
    };
}
