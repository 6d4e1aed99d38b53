using System.Diagnostics;
using System.Text.Json;
using Xunit.Abstractions;

namespace TaskService.Postgres.Tests.Durability;

/// <summary>
/// Crashes between the database commit of an outgoing event and its webhook call: the event is in the outbox, so the next silo
/// delivers it, signed, and the outbox records the dispatch.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class OutboxTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>Long enough for a subscription's reminder (period 1 min) to come due after the crash, with room for the restart.</summary>
    private static readonly TimeSpan ReminderDeadline = TimeSpan.FromSeconds(100);

    [Fact]
    public async Task AnEventCommittedToTheOutboxBeforeACrashIsDeliveredByTheNextSilo()
    {
        await using var service = await DurableService.CreateAsync("outbox_commit");
        var ports = DurableService.NewSiloPorts();

        // The crash point: the first silo commits outgoing events but never calls a webhook (its dispatcher is off).
        var first = await service.StartSiloAsync("silo (dispatcher off)", ports, new Dictionary<string, string> { ["TaskService__Outbox__Enabled"] = "false" });
        using var api = service.Client(first);
        var setup = await LifecycleSetup.CreateAsync(api);
        await using var receiver = await WebhookReceiver.StartNodeAsync(setup.App.ApiSecret);
        await setup.SubscribeAsync(api, receiver, LifecycleSetup.TaskCreated);
        await setup.TriggerAsync(api, $"case-{Guid.NewGuid():N}");

        // create-tasks ran to its end (its parent instance completed after publishing), so task-created is committed...
        await Eventually.ReturnsAsync(
            () => Sql.ScalarAsync<long>(service.ConnectionString, "SELECT count(*) FROM main.workflow_instances WHERE process_id = $1 AND status = 'completed'", setup.ParentProcessId),
            n => n == 1, Deadline, "the parent workflow ran create-tasks to its end", service.Outputs, retryOnError: true);
        var row = Assert.Single(await Sql.RowsAsync(service.ConnectionString, "SELECT event_id, event_key, claimed_until, dispatched_on FROM main.outbox"));
        var outgoingId = (string)row[0]!;
        Assert.Equal(LifecycleSetup.TaskCreated, row[1]);
        // ...and nothing took it out of the outbox or reached the receiver.
        Assert.Null(row[2]);
        Assert.Null(row[3]);
        Assert.Empty(await receiver.ReceivedAsync());

        await first.KillAsync();
        await service.StartSiloAsync("silo (dispatcher on)", ports);

        var delivered = await Eventually.ReturnsAsync(
            receiver.ReceivedAsync, r => r.Any(x => x.EventId == outgoingId), Deadline,
            "the next silo delivers the committed task-created", service.Outputs, retryOnError: true);
        Assert.All(delivered, r => Assert.True(r.Valid, $"signed with the client app's secret: {r}"));
        var receipt = delivered.First(r => r.EventId == outgoingId);
        Assert.Equal(setup.SubscriptionPaths[LifecycleSetup.TaskCreated], receipt.Path);
        Assert.Equal(LifecycleSetup.TaskCreated, receipt.Key);
        Assert.Equal([setup.MappedTaskKey, setup.UnmappedTaskKey], receipt.Payload.GetProperty("createdTasks").Values("key"));
        await Eventually.ReturnsAsync(
            () => Sql.ScalarAsync<bool>(service.ConnectionString, "SELECT dispatched_on IS NOT NULL FROM main.outbox WHERE event_id = $1", outgoingId),
            dispatched => dispatched, Deadline, "the outbox entry is marked dispatched", service.Outputs, retryOnError: true);
    }

    [Fact]
    public async Task ADeliveryCutOffByACrashIsCompletedByTheNextSilo()
    {
        await using var service = await DurableService.CreateAsync("outbox_midcall");
        var ports = DurableService.NewSiloPorts();

        // The first silo's webhook call hangs at the receiver (its timeout is long), so the crash comes mid-delivery.
        var first = await service.StartSiloAsync("silo (killed mid-delivery)", ports, new Dictionary<string, string> { ["TaskService__Webhooks__Timeout"] = "00:05:00" });
        using var api = service.Client(first);
        var setup = await LifecycleSetup.CreateAsync(api);
        await using var receiver = await WebhookReceiver.StartNodeAsync(setup.App.ApiSecret);
        var path = setup.SubscriptionPaths[LifecycleSetup.TaskCreated];
        await receiver.HangAsync(path);
        await setup.SubscribeAsync(api, receiver, LifecycleSetup.TaskCreated);
        await setup.TriggerAsync(api, $"case-{Guid.NewGuid():N}");

        var inFlight = Assert.Single(await Eventually.ReturnsAsync(
            () => receiver.ReceivedAtAsync(path), r => r.Count > 0, Deadline, "the webhook call reaches the receiver", service.Outputs, retryOnError: true));
        Assert.True(inFlight.Valid, inFlight.ToString());
        await first.KillAsync();
        var clock = Stopwatch.StartNew();
        var dispatchedAtCrash = await Sql.ScalarAsync<bool>(service.ConnectionString, "SELECT dispatched_on IS NOT NULL FROM main.outbox WHERE event_id = $1", inFlight.EventId!);
        Assert.Single(await receiver.ReceivedAtAsync(path));

        // The receiver recovers; a new silo takes over. The call the crash cut off was never answered, so it must be made again:
        // by the subscription's reminder (its queue is in grain storage) or, if the crash came before the outbox entry was
        // marked dispatched, by the outbox once the dead silo's claim runs out.
        await receiver.AnswerNormallyAsync(path);
        await service.StartSiloAsync("silo (after the crash)", ports);
        var receipts = await Eventually.ReturnsAsync(
            () => receiver.ReceivedAtAsync(path), r => r.Count >= 2, ReminderDeadline,
            "the cut-off delivery is made again after the restart", service.Outputs, retryOnError: true);
        output.WriteLine($"Redelivered {clock.Elapsed.TotalSeconds:F1} s after the crash; outbox entry dispatched before the crash: {dispatchedAtCrash}.");

        Assert.All(receipts, r => Assert.True(r.Valid, $"signed with the client app's secret: {r}"));
        Assert.All(receipts, r => Assert.Equal(inFlight.EventId, r.EventId));
        await Eventually.ReturnsAsync(
            () => Sql.ScalarAsync<bool>(service.ConnectionString, "SELECT dispatched_on IS NOT NULL FROM main.outbox WHERE event_id = $1", inFlight.EventId!),
            dispatched => dispatched, Deadline, "the outbox entry is marked dispatched", service.Outputs, retryOnError: true);

        // What is delivered again is the same event: its payload (the created tasks) survived the queue's trip through grain storage.
        Assert.True(receipts[1].Payload.ValueKind == JsonValueKind.Object,
            $"The redelivered event lost its payload on its way through the subscription's grain storage: {receipts[1].Body.GetRawText()}");
        Assert.Equal([setup.MappedTaskKey, setup.UnmappedTaskKey], receipts[1].Payload.GetProperty("createdTasks").Values("key"));
        Assert.Equal(inFlight.Body.GetRawText(), receipts[1].Body.GetRawText());
    }
}
