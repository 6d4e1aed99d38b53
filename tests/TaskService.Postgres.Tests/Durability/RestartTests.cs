using System.Net;

namespace TaskService.Postgres.Tests.Durability;

/// <summary>
/// The full lifecycle (deploy, map, subscribe, trigger, complete both user tasks) against PostgreSQL in silo processes, with the
/// silo crashed (SIGKILL) halfway: after <c>task-created</c> was delivered, before any user task is completed.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class RestartTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task ASiloKilledHalfwayIsReplacedByOneThatFinishesTheLifecycleWithNothingLostAndNoTaskTwice()
    {
        await using var service = await DurableService.CreateAsync("restart");
        var ports = DurableService.NewSiloPorts();
        var first = await service.StartSiloAsync("silo (first run)", ports);

        using var api = service.Client(first);
        var setup = await LifecycleSetup.CreateAsync(api);
        await using var receiver = await WebhookReceiver.StartNodeAsync(setup.App.ApiSecret);
        await setup.SubscribeAsync(api, receiver);
        var eventId = $"case-{Guid.NewGuid():N}";
        await setup.TriggerAsync(api, eventId);

        var createdPath = setup.SubscriptionPaths[LifecycleSetup.TaskCreated];
        var taskCreated = await Eventually.ReturnsAsync(
            () => receiver.ReceivedAtAsync(createdPath), r => r.Any(x => x.Valid), Deadline,
            "task-created is delivered, signed with the client app's secret", service.Outputs, retryOnError: true);
        var createdTasks = taskCreated.First(r => r.Valid).Payload.GetProperty("createdTasks");
        Assert.Equal([setup.MappedTaskKey, setup.UnmappedTaskKey], createdTasks.Values("key"));
        var taskId = createdTasks[0].GetProperty("id").GetString()!;
        var unmappedTaskId = createdTasks[1].GetProperty("id").GetString()!;

        // The crash: no user task was completed yet.
        await first.KillAsync();
        Assert.Equal(0L, await Sql.ScalarAsync<long>(service.ConnectionString, "SELECT count(*) FROM main.user_tasks WHERE status = 'completed'"));

        // A new silo process on the same database (and the same address, as a restarted machine would have) finishes it over HTTP.
        var second = await service.StartSiloAsync("silo (after the crash)", ports);
        using var api2 = service.Client(second);
        var review = Assert.Single((await api2.GetJsonAsync($"/tasks/{taskId}/user-tasks")).EnumerateArray());
        Assert.Equal(("Review\ndocument", "pending"), (review.GetProperty("name").GetString(), review.GetProperty("status").GetString()));
        await api2.SendJsonAsync("PATCH", $"/tasks/{taskId}/user-tasks/{review.GetProperty("id").GetString()}/complete").ExpectAsync(HttpStatusCode.NoContent);
        var approve = Assert.Single((await api2.GetJsonAsync(
            $"/tasks/{taskId}/user-tasks?{HttpJson.Query("filter", new { where = new { status = "pending" } })}")).EnumerateArray());
        Assert.Equal("Approve", approve.GetProperty("name").GetString());
        await api2.SendJsonAsync("PATCH", $"/tasks/{taskId}/user-tasks/{approve.GetProperty("id").GetString()}/complete", new { variables = new { approved = true } })
            .ExpectAsync(HttpStatusCode.NoContent);

        // Every outgoing event reaches the receiver at least once, validly signed: the secret, stored encrypted by the first
        // process, was read back by the second with the same key.
        var utcPath = setup.SubscriptionPaths[LifecycleSetup.UserTaskCompleted];
        var completedPath = setup.SubscriptionPaths[LifecycleSetup.TaskCompleted];
        var receipts = await Eventually.ReturnsAsync(
            receiver.ReceivedAsync,
            r => r.Where(x => x.Valid && x.Path == utcPath).Select(x => x.Payload.GetProperty("userTask").GetProperty("name").GetString()).Distinct().Count() == 2
                && r.Any(x => x.Valid && x.Path == completedPath && x.Payload.GetProperty("taskId").GetString() == taskId),
            Deadline, "both user-task-completed and task-completed are delivered by the new process", service.Outputs, retryOnError: true);
        Assert.All(receipts, r => Assert.True(r.Valid, $"Every delivery carries a valid signature: {r}"));
        Assert.Equal(
            ["Approve", "Review\ndocument"],
            receipts.Where(r => r.Path == utcPath).Select(r => r.Payload.GetProperty("userTask").GetProperty("name").GetString()).Distinct().Order());
        Assert.All(receipts.Where(r => r.Path == utcPath), r => Assert.Equal(taskId, r.Payload.GetProperty("task").GetProperty("id").GetString()));
        // At least once: a redelivery keeps the event id, so receivers can deduplicate.
        Assert.Equal(4, receipts.Select(r => r.EventId).Distinct().Count());

        // Everything is there, through the API of the new process...
        var task = await Eventually.ReturnsAsync(
            () => api2.GetJsonAsync($"/tasks/{taskId}"), t => t.GetProperty("status").GetString() == "completed", Deadline,
            "the task is completed by its workflow's end-task", service.Outputs, retryOnError: true);
        Assert.Equal("pending", (await api2.GetJsonAsync($"/tasks/{unmappedTaskId}")).GetProperty("status").GetString());
        var userTasks = await api2.GetJsonAsync($"/tasks/{taskId}/user-tasks");
        Assert.Equal(["completed", "completed"], userTasks.Values("status"));
        Assert.Equal(eventId, (await api2.GetJsonAsync($"/events/{eventId}")).GetProperty("id").GetString());
        var eventMappings = await api2.GetJsonAsync($"/events/mapping?{HttpJson.Query("filter", new { where = new { eventKey = setup.EventKey } })}");
        Assert.Equal([setup.ParentProcessId], eventMappings.Values("workflowKey"));
        var taskMappings = await api2.GetJsonAsync($"/tasks/mapping?{HttpJson.Query("filter", new { where = new { taskKey = setup.MappedTaskKey } })}");
        Assert.Equal([setup.ChildProcessId], taskMappings.Values("workflowKey"));
        var subscriptions = await api2.SendJsonAsync("GET", "/webhooks", headers: setup.App.Headers).ExpectAsync(HttpStatusCode.OK);
        Assert.Equal(setup.SubscriptionPaths.Values.Select(receiver.Url).Order(), subscriptions.Values("url").Order());
        var child = await api2.GetJsonAsync($"/workflow-instances/{task.GetProperty("externalId").GetString()}");
        Assert.Equal("completed", child.GetProperty("instance").GetProperty("status").GetString());

        // ...and in the tables (a fresh database: these are all the rows there are). No task exists twice.
        var counts = await Sql.RowsAsync(service.ConnectionString, """
            SELECT (SELECT count(*) FROM main.events), (SELECT count(*) FROM main.tasks), (SELECT count(DISTINCT "key") FROM main.tasks),
                   (SELECT count(*) FROM main.user_tasks), (SELECT count(*) FROM main.event_workflows), (SELECT count(*) FROM main.task_workflows),
                   (SELECT count(*) FROM main.webhook_subscriptions WHERE status = 'active'), (SELECT count(*) FROM main.client_apps),
                   (SELECT count(*) FROM main.workflows)
            """);
        Assert.Equal(new object?[] { 1L, 2L, 2L, 2L, 1L, 1L, 3L, 1L, 2L }, counts.Single());
        Assert.Empty(await Sql.RowsAsync(service.ConnectionString, "SELECT \"key\" FROM main.tasks GROUP BY \"key\" HAVING count(*) > 1"));

        // The secret is stored encrypted, never in plain text.
        var storedSecret = await Sql.ScalarAsync<string>(service.ConnectionString, "SELECT api_secret FROM main.client_apps");
        Assert.DoesNotContain(setup.App.ApiSecret, storedSecret);

        // The outbox holds each outgoing event once, all dispatched.
        var outbox = await Eventually.ReturnsAsync(
            () => Sql.RowsAsync(service.ConnectionString, "SELECT event_key, dispatched_on IS NOT NULL FROM main.outbox ORDER BY seq"),
            rows => rows.All(r => (bool)r[1]!), Deadline, "every outbox entry is marked dispatched", service.Outputs, retryOnError: true);
        Assert.Equal([LifecycleSetup.TaskCreated, LifecycleSetup.UserTaskCompleted, LifecycleSetup.UserTaskCompleted, LifecycleSetup.TaskCompleted],
            outbox.Select(r => (string)r[0]!));
    }
}
