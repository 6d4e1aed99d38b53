namespace TaskService.Postgres.Tests.Durability;

/// <summary>
/// Events accepted (202) just before a SIGKILL are in the database but were still waiting in the killed process's memory; the
/// new process routes them, and resumes webhook deliveries, as soon as it is ready, not after the sweeper's grace period.
/// How soon is a measurement, not a test: the deadline here only has to be far below the grace period (ten minutes), so the
/// test cannot pass by the sweeper and cannot fail because the machine running it is busy.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class RecoveryTests
{
    private const int Events = 60;
    private static readonly TimeSpan Recovery = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task EventsAcceptedBeforeAKillAreRoutedAndDeliveredByTheNewSiloLongBeforeTheSweeperCouldRouteThem()
    {
        await using var service = await DurableService.CreateAsync("recovery");
        var ports = DurableService.NewSiloPorts();

        // A grace period far beyond the deadline, so the periodic sweep cannot be what routes them; one routing at a time, so
        // some are still waiting when the process is killed.
        var settings = new Dictionary<string, string>
        {
            ["TaskService__Events__RoutingGracePeriod"] = "00:10:00",
            ["TaskService__Events__SweepInterval"] = "00:10:00",
            ["TaskService__Events__MaxConcurrentRoutings"] = "1",
        };
        var first = await service.StartSiloAsync("silo (killed with events waiting)", ports, settings);
        using var api = service.Client(first);
        var setup = await LifecycleSetup.CreateAsync(api);
        await using var receiver = await WebhookReceiver.StartNodeAsync(setup.App.ApiSecret);
        await setup.SubscribeAsync(api, receiver, LifecycleSetup.TaskCreated);

        var run = Guid.NewGuid().ToString("N");
        var eventIds = Enumerable.Range(0, Events).Select(i => $"recovery-{run}-{i}").ToArray();
        await Parallel.ForEachAsync(eventIds, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (id, _) => await setup.TriggerAsync(api, id));
        await first.KillAsync();

        var waiting = await Sql.ScalarAsync<long>(service.ConnectionString,
            "SELECT count(*) FROM main.events e JOIN main.unrouted_events u ON u.id = e.id WHERE e.\"key\" = $1", setup.EventKey);
        Assert.True(waiting > 0, "Some accepted events were still waiting for routing when the silo was killed (otherwise this test shows nothing).");
        var deliveredBefore = (await receiver.ReceivedAsync()).Where(r => r.Valid).Select(r => r.EventId).Distinct().Count();

        await service.StartSiloAsync("silo (after the kill)", ports, settings);

        await Eventually.ReturnsAsync(
            () => Sql.RowsAsync(service.ConnectionString, """
                SELECT (SELECT count(*) FROM main.events e JOIN main.unrouted_events u ON u.id = e.id WHERE e."key" = $1),
                       (SELECT count(*) FROM main.workflow_instances WHERE process_id = $2)
                """, setup.EventKey, setup.ParentProcessId),
            rows => (long)rows[0][0]! == 0 && (long)rows[0][1]! == Events,
            Recovery, $"all {Events} events are routed (each started its workflow) by the new silo, long before the sweeper's grace period; {waiting} were waiting at the kill",
            service.Outputs, retryOnError: true);

        await Eventually.ReturnsAsync(
            receiver.ReceivedAsync,
            r => r.Where(x => x.Valid).Select(x => x.EventId).Distinct().Count() > deliveredBefore,
            Recovery, "webhook deliveries resume after the restart", service.Outputs, retryOnError: true);

        // Nothing accepted is lost: every event's task-created arrives, each task exists once.
        var receipts = await Eventually.ReturnsAsync(
            receiver.ReceivedAsync,
            r => r.Where(x => x.Valid).Select(x => x.EventId).Distinct().Count() == Events,
            TimeSpan.FromSeconds(120), $"task-created arrives for each of the {Events} events", service.Outputs, retryOnError: true);
        Assert.All(receipts, r => Assert.True(r.Valid, $"Every delivery carries a valid signature: {r}"));
        Assert.Empty(await Sql.RowsAsync(service.ConnectionString, "SELECT id FROM main.tasks GROUP BY id HAVING count(*) > 1"));
        Assert.Equal(2L * Events, await Sql.ScalarAsync<long>(service.ConnectionString, "SELECT count(*) FROM main.tasks"));
    }
}
