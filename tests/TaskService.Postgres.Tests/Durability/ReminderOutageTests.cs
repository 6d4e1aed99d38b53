using System.Net;

namespace TaskService.Postgres.Tests.Durability;

/// <summary>
/// The window of a failover in which a grain's state is written but its reminder cannot be registered (the silo owning the
/// reminder range is gone and not yet declared dead; here the reminder table is taken offline, which fails the same call
/// deterministically). Work whose state was committed must still run once the call is retried, not wait for a reminder that
/// was never registered. <see cref="ClusterTests"/> runs into this window by itself now and then.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class ReminderOutageTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task AWorkflowStartedWhileItsReminderCouldNotBeRegisteredStillRunsItsCommand()
    {
        await using var service = await DurableService.CreateAsync("reminder_workflow");
        var silo = await service.StartSiloAsync("silo", DurableService.NewSiloPorts());
        using var api = service.Client(silo);
        var setup = await LifecycleSetup.CreateAsync(api);

        // The event's parent instance is started during the outage: its state (create-tasks pending) is written, then its
        // reminder registration fails, so routing fails and is retried (by the stream, then the unrouted-event sweeper).
        var eventId = $"case-{Guid.NewGuid():N}";
        await using (var outage = await ReminderTableOutage.BeginAsync(service.ConnectionString))
        {
            await setup.TriggerAsync(api, eventId);
            // Routing it failed (the stream or the sweeper says so), or it was routed without a reminder.
            await Eventually.ReturnsAsync(
                async () => silo.Output.Contains($"task-service.events/{setup.EventKey}", StringComparison.Ordinal)
                    || silo.Output.Contains($"Event {eventId} with key {setup.EventKey} was recorded but not routed", StringComparison.Ordinal)
                    || await Sql.ScalarAsync<bool>(service.ConnectionString, "SELECT EXISTS (SELECT 1 FROM main.events WHERE id = $1) AND NOT EXISTS (SELECT 1 FROM main.unrouted_events WHERE id = $1)", eventId),
                hit => hit, Deadline, "routing the event meets the outage", service.Outputs, retryOnError: true);
            // The instance's state was committed (create-tasks due) before its reminder was asked for.
            Assert.Equal(1L, await Sql.ScalarAsync<long>(service.ConnectionString,
                "SELECT count(*) FROM main.workflow_instances WHERE process_id = $1", setup.ParentProcessId));
            Assert.Equal(0L, await outage.OfflineRowsAsync());
        }

        // With the reminders back, the retried start must run create-tasks: the instance's state says it is due.
        var tasks = await Eventually.ReturnsAsync(
            () => Sql.ScalarAsync<long>(service.ConnectionString, "SELECT count(*) FROM main.tasks WHERE \"key\" = ANY($1)", (object)new[] { setup.MappedTaskKey, setup.UnmappedTaskKey }),
            n => n == 2, Deadline, "create-tasks runs for the event whose workflow started during the outage", service.Outputs, retryOnError: true);
        Assert.Equal(2L, tasks);
        // The tasks exist as soon as create-tasks ran; the instance completes right after, when the command's outcome is saved.
        await Eventually.ReturnsAsync(
            () => Sql.ScalarAsync<string>(service.ConnectionString, "SELECT status FROM main.workflow_instances WHERE process_id = $1", setup.ParentProcessId),
            status => status == "completed", Deadline, "the parent instance completes", service.Outputs, retryOnError: true);
    }

    [Fact]
    public async Task AnEventQueuedWhileItsSubscriptionsReminderCouldNotBeRegisteredIsStillDelivered()
    {
        await using var service = await DurableService.CreateAsync("reminder_webhook");
        var silo = await service.StartSiloAsync("silo", DurableService.NewSiloPorts());
        using var api = service.Client(silo);
        var setup = await LifecycleSetup.CreateAsync(api);
        await using var receiver = await WebhookReceiver.StartNodeAsync(setup.App.ApiSecret);
        await setup.SubscribeAsync(api, receiver); // subscribing activates each subscription's grain (its reminder is read then)
        await setup.TriggerAsync(api, $"case-{Guid.NewGuid():N}");
        var created = await Eventually.ReturnsAsync(
            () => receiver.ReceivedAtAsync(setup.SubscriptionPaths[LifecycleSetup.TaskCreated]), r => r.Any(x => x.Valid), Deadline,
            "task-created is delivered", service.Outputs, retryOnError: true);
        var taskId = created.First(r => r.Valid).Payload.GetProperty("createdTasks")[0].GetProperty("id").GetString()!;
        var review = (await api.GetJsonAsync($"/tasks/{taskId}/user-tasks"))[0].GetProperty("id").GetString()!;

        // user-task-completed is committed to the outbox; handing it to its subscription writes the queue, then fails to
        // register the subscription's reminder. The outbox hands it over again once its claim runs out.
        var path = setup.SubscriptionPaths[LifecycleSetup.UserTaskCompleted];
        await using (var outage = await ReminderTableOutage.BeginAsync(service.ConnectionString))
        {
            await api.SendJsonAsync("PATCH", $"/tasks/{taskId}/user-tasks/{review}/complete").ExpectAsync(HttpStatusCode.NoContent);
            var outgoingId = await Eventually.ReturnsAsync(
                async () => (await Sql.RowsAsync(service.ConnectionString, "SELECT event_id FROM main.outbox WHERE event_key = $1", LifecycleSetup.UserTaskCompleted))
                    .Select(r => (string)r[0]!).SingleOrDefault(),
                id => id is not null, Deadline, "user-task-completed is committed to the outbox", service.Outputs, retryOnError: true);

            // Handing it over failed (the dispatcher says so), or it was handed over (dispatched) without a reminder.
            await Eventually.ReturnsAsync(
                async () => silo.Output.Contains($"event {outgoingId} could not be handed to every connector", StringComparison.Ordinal)
                    || await Sql.ScalarAsync<bool>(service.ConnectionString, "SELECT dispatched_on IS NOT NULL FROM main.outbox WHERE event_id = $1", outgoingId!),
                hit => hit, Deadline, "handing user-task-completed to its subscription meets the outage", service.Outputs, retryOnError: true);
            Assert.Equal(0L, await outage.OfflineRowsAsync());
        }

        var delivered = await Eventually.ReturnsAsync(
            () => receiver.ReceivedAtAsync(path), r => r.Any(x => x.Valid), Deadline,
            "user-task-completed, queued during the outage, is delivered", service.Outputs, retryOnError: true);
        Assert.Equal("Review\ndocument", delivered.First(x => x.Valid).Payload.GetProperty("userTask").GetProperty("name").GetString());
    }
}
