using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Orleans.Configuration;
using Orleans.Runtime;
using Xunit.Abstractions;

namespace TaskService.Postgres.Tests.Durability;

/// <summary>
/// Two silo processes and the gateway process form one cluster through PostgreSQL membership. Events triggered through the
/// gateway are handled on both silos; one silo is crashed (SIGKILL) while events keep coming, and the survivor takes over.
/// </summary>
[Collection(DurabilityCollection.Name)]
public sealed class ClusterTests(ITestOutputHelper output)
{
    private const string Router = "EventRouterGrain";
    private const string TaskGrain = "TaskGrain";
    private const int MembershipActive = 3;
    private const int MembershipDead = 6;
    private const int EventCount = 200;
    private const int KeyCount = 50;

    /// <summary>Events triggered (and handled) before the crash, while both silos are up.</summary>
    private const int WarmUpCount = 80;

    /// <summary>The crash comes once this many events were accepted, while the rest are still being triggered.</summary>
    private const int KillAfter = 100;

    /// <summary>The grains that handle an event: its key's router, the workflow instance it starts, the task that instance creates.</summary>
    private static readonly string[] HandlingGrainTypes = [Router, "WorkflowInstanceGrain", TaskGrain];

    /// <summary>Orleans' default membership settings (probes every 5 s, 3 missed) declare a silo dead well within this.</summary>
    private static readonly TimeSpan FailoverDeadline = TimeSpan.FromSeconds(90);

    /// <summary>
    /// Work a crashed silo held is resumed by reminders (period 1 min) once the survivor owns them, and lost stream messages
    /// by the unrouted-event sweeper: both well within this after the failover.
    /// </summary>
    private static readonly TimeSpan ConvergenceDeadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task EventsThroughTheGatewayAreHandledOnBothSilosAndACrashedSiloLosesNoEventAndDuplicatesNoTask()
    {
        var clock = Stopwatch.StartNew();
        await using var service = await DurableService.CreateAsync("cluster");
        var portsA = DurableService.NewSiloPorts();
        var portsB = DurableService.NewSiloPorts();
        var siloA = service.StartSilo("silo A", portsA);
        var siloB = service.StartSilo("silo B", portsB);
        await Task.WhenAll(siloA.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)), siloB.WaitUntilReadyAsync(TimeSpan.FromSeconds(90)));

        // One cluster: both silos are active members in the PostgreSQL membership table...
        await Eventually.ReturnsAsync(
            () => MembershipAsync(service),
            m => m.GetValueOrDefault(portsA.Silo) == MembershipActive && m.GetValueOrDefault(portsB.Silo) == MembershipActive,
            TimeSpan.FromSeconds(60), "both silos are active (status 3) in OrleansMembershipTable", service.Outputs, retryOnError: true);
        // ...and the gateway process finds them there, as any client does.
        var gateway = await service.StartGatewayAsync("gateway");
        using var viaGateway = service.Client(gateway, TimeSpan.FromSeconds(10));
        using var host = await ConnectClientAsync(service);
        var management = host.Services.GetRequiredService<IClusterClient>().GetGrain<IManagementGrain>(0);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: cluster up");

        // Each event starts the parent workflow, whose create-tasks makes one task keyed by the event id.
        var (parentBpmn, parentId) = BpmnFiles.Parent();
        await viaGateway.SendJsonAsync("POST", "/workflows", new { name = "cluster", bpmnFile = parentBpmn, inputSchema = new { type = "object" } })
            .ExpectAsync(HttpStatusCode.Created);
        var run = Guid.NewGuid().ToString("N")[..12];
        var keys = Enumerable.Range(0, KeyCount).Select(k => $"cluster.{run}.{k:D2}").ToArray();
        foreach (var key in keys)
        {
            await viaGateway.SendJsonAsync("POST", "/events/mapping", new { eventKey = key, workflowKey = parentId }).ExpectAsync(HttpStatusCode.Created);
        }

        var events = Enumerable.Range(0, EventCount).Select(i => new TriggeredEvent($"{run}-{i:D3}", keys[i % KeyCount])).ToArray();
        var load = new EventLoad(viaGateway);

        // Both silos handle events: the grains that handle them (routers, workflow instances, tasks) are active on each.
        await load.TriggerAsync(events[..WarmUpCount], workers: 4, pace: TimeSpan.Zero);
        await WaitForTasksAsync(service, events[..WarmUpCount], TimeSpan.FromSeconds(60));
        var before = await HandlingActivationsAsync(management);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: warm-up handled; activations per silo: {Describe(before, portsA, portsB)}");
        Assert.True(before.Any(a => a.SiloPort == portsA.Silo) && before.Any(a => a.SiloPort == portsB.Silo),
            $"Events are handled on both silos: {Describe(before, portsA, portsB)}");
        var onB = before.Where(a => a.SiloPort == portsB.Silo).ToArray();

        // Crash silo B mid-load: the rest of the events are triggered at a steady pace through the failover, each retried with
        // its Idempotency-Key until accepted, as clients do.
        var rest = load.TriggerAsync(events[WarmUpCount..], workers: 2, pace: TimeSpan.FromMilliseconds(200));
        await Eventually.ReturnsAsync(() => Task.FromResult(load.Accepted), n => n >= KillAfter || rest.IsCompleted, TimeSpan.FromSeconds(60), "the load gets going again", retryOnError: true);
        if (rest.IsFaulted)
        {
            await rest;
        }

        await siloB.KillAsync();
        var killedAt = clock.Elapsed;
        output.WriteLine($"{killedAt.TotalSeconds:F1} s: silo B killed after {load.Accepted} accepted events");
        Assert.True(load.Accepted < EventCount, "The crash comes while events are still being triggered.");

        await rest;
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: all {EventCount} events accepted; {load.FailedAttempts} attempts failed and were retried, " +
            $"such as: {string.Join(" | ", load.Failures.Take(3))}");

        // While the cluster loses a silo, a trigger it cannot carry is answered 503 with Retry-After (or its connection fails),
        // never 500: the client is told to send it again.
        Assert.All(load.FailedStatuses, s => Assert.True(s == HttpStatusCode.ServiceUnavailable, $"A trigger during the failover was answered {(int)s}: {string.Join(" | ", load.Failures.Take(3))}"));
        await Eventually.ReturnsAsync(
            () => MembershipAsync(service), m => m.GetValueOrDefault(portsB.Silo) == MembershipDead, FailoverDeadline,
            "the survivor declares silo B dead (status 6)", service.Outputs, retryOnError: true);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: silo B declared dead");

        // Nothing is lost: every event created its task, on the survivor.
        await WaitForTasksAsync(service, events, ConvergenceDeadline);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: every event has its task ({(clock.Elapsed - killedAt).TotalSeconds:F1} s after the crash); " +
            $"the survivor took over {Occurrences(siloA.Output, "left the cluster")} time(s) and re-routed {Occurrences(siloA.Output, "Routing again")} page(s) of unrouted events and retried {Occurrences(siloA.Output, "failed for external task")} failed command attempt(s)");

        // Every triggered event is recorded once (and these are all the events there are) and was routed.
        var eventIds = events.Select(e => e.Id).ToArray();
        Assert.Equal((long)EventCount, await Sql.ScalarAsync<long>(service.ConnectionString, "SELECT count(*) FROM main.events e WHERE id = ANY($1) AND NOT EXISTS (SELECT 1 FROM main.unrouted_events u WHERE u.id = e.id)", (object)eventIds));
        Assert.Equal((long)EventCount, await Sql.ScalarAsync<long>(service.ConnectionString, "SELECT count(*) FROM main.events"));

        // Every event created exactly its one task, and no task exists twice.
        var taskCounts = await Sql.RowsAsync(service.ConnectionString, "SELECT \"key\", count(*) FROM main.tasks GROUP BY \"key\"");
        Assert.Equal(events.Select(e => e.TaskKey).Order(), taskCounts.Select(r => (string)r[0]!).Order());
        Assert.All(taskCounts, r => Assert.True((long)r[1]! == 1, $"Task {r[0]} exists {r[1]} times."));

        // Every parent instance runs create-tasks to its end: none is left waiting (one whose command was cut off by the crash
        // after its task was written is resumed by its reminder) and none has an incident.
        await Eventually.ReturnsAsync(
            () => Sql.RowsAsync(service.ConnectionString,
                "SELECT status, incidents, count(*) FROM main.workflow_instances WHERE process_id = $1 GROUP BY status, incidents ORDER BY 1, 2", parentId),
            rows => rows.Count == 1 && rows[0].SequenceEqual(new object?[] { "completed", 0, (long)EventCount }), ConvergenceDeadline,
            "all parent instances are completed without incidents", service.Outputs, retryOnError: true);

        // The survivor serves everything: its own HTTP API lists every task...
        using var viaSurvivor = service.Client(siloA);
        var where = new { key = new { like = $"task-{run}-%" } };
        Assert.Equal(EventCount, (await viaSurvivor.GetJsonAsync($"/tasks/count?{HttpJson.Query("where", where)}")).GetProperty("count").GetInt32());
        var listed = await viaSurvivor.GetJsonAsync($"/tasks?{HttpJson.Query("filter", new { where, limit = 1000 })}");
        Assert.Equal(events.Select(e => e.TaskKey).Order(), listed.Values("key").Order());

        // ...and took over the grains of the crashed silo: only the survivor hosts them now, the event keys whose routers were
        // on B got events after the crash and their routers are active on A, and tasks whose grains were on B are updated
        // through the survivor (their grains activate there from their rows).
        var after = await Eventually.ReturnsAsync(
            () => HandlingActivationsAsync(management), a => a.All(x => x.SiloPort == portsA.Silo), TimeSpan.FromSeconds(30),
            "only the survivor hosts activations", service.Outputs, retryOnError: true);
        var routerKeysOnB = onB.Where(a => a.Type == Router).Select(a => a.Key).ToArray();
        Assert.All(routerKeysOnB, k => Assert.Contains(after, a => a.Type == Router && a.Key == k));
        var taskIdsOnB = onB.Where(a => a.Type == TaskGrain).Select(a => a.Key).Take(5).ToArray();
        foreach (var taskId in taskIdsOnB)
        {
            await viaSurvivor.SendJsonAsync("PATCH", $"/tasks/{taskId}", new { priority = "urgent" }).ExpectAsync(HttpStatusCode.NoContent);
        }

        Assert.Equal((long)taskIdsOnB.Length, await Sql.ScalarAsync<long>(service.ConnectionString,
            "SELECT count(*) FROM main.tasks WHERE id = ANY($1) AND priority = 'urgent'", (object)taskIdsOnB));
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: done; B's {routerKeysOnB.Length} router(s) are active on A, {taskIdsOnB.Length} of B's task(s) updated through A");

        await StopClientAsync(host);
    }

    private static int Occurrences(string text, string value)
    {
        var count = 0;
        for (var at = text.IndexOf(value, StringComparison.Ordinal); at >= 0; at = text.IndexOf(value, at + value.Length, StringComparison.Ordinal))
        {
            count++;
        }

        return count;
    }

    /// <summary>Silo port to membership status, for this test's cluster (the newest generation of each port).</summary>
    private static async Task<Dictionary<int, int>> MembershipAsync(DurableService service) =>
        (await Sql.RowsAsync(service.ConnectionString,
            "SELECT port, status FROM orleansmembershiptable WHERE deploymentid = $1 ORDER BY generation", service.ClusterId))
        .GroupBy(r => (int)r[0]!).ToDictionary(g => g.Key, g => (int)g.Last()[1]!);

    /// <summary>The activations of the grains that handle events, in every silo, as the management grain reports them.</summary>
    private static async Task<Activation[]> HandlingActivationsAsync(IManagementGrain management) =>
        (await management.GetDetailedGrainStatistics())
        .Select(s => (Type: HandlingGrainTypes.FirstOrDefault(t => s.GrainType.Contains($".{t}", StringComparison.Ordinal)), Statistic: s))
        .Where(x => x.Type is not null)
        .Select(x => new Activation(x.Type!, x.Statistic.GrainId.Key.ToString()!, x.Statistic.SiloAddress.Endpoint.Port))
        .ToArray();

    private static string Describe(IEnumerable<Activation> activations, SiloPorts a, SiloPorts b) =>
        string.Join("; ", new[] { ("A", a.Silo), ("B", b.Silo) }.Select(silo =>
            $"silo {silo.Item1}: " + string.Join(", ", HandlingGrainTypes.Select(t => $"{activations.Count(x => x.SiloPort == silo.Item2 && x.Type == t)} {t}"))));

    /// <summary>Waits until each event's task exists (by its key), counted in the table; on failure, shows where the others are stuck.</summary>
    private static async Task WaitForTasksAsync(DurableService service, TriggeredEvent[] events, TimeSpan timeout)
    {
        try
        {
            await Eventually.ReturnsAsync(
                () => Sql.ScalarAsync<long>(service.ConnectionString, "SELECT count(DISTINCT \"key\") FROM main.tasks WHERE \"key\" = ANY($1)", (object)events.Select(e => e.TaskKey).ToArray()),
                n => n == events.Length, timeout, $"each of {events.Length} events created its task", service.Outputs, retryOnError: true);
        }
        catch (Xunit.Sdk.XunitException failure)
        {
            throw new Xunit.Sdk.XunitException($"{await StuckEventsAsync(service, events)}\n{failure.Message}");
        }
    }

    /// <summary>For each event without its task: whether it was recorded and routed, and the state of the instance it started.</summary>
    private static async Task<string> StuckEventsAsync(DurableService service, TriggeredEvent[] events)
    {
        var rows = await Sql.RowsAsync(service.ConnectionString, """
            SELECT ids.id, e.id IS NOT NULL, e.id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM main.unrouted_events u WHERE u.id = e.id), i.id, i.status, i.incidents, i.modified_on, i.state::text
            FROM unnest($1::text[]) AS ids(id)
            LEFT JOIN main.events e ON e.id = ids.id
            LEFT JOIN main.workflow_instances i ON i.state::text LIKE '%task-' || ids.id || '%'
            WHERE NOT EXISTS (SELECT 1 FROM main.tasks t WHERE t."key" = 'task-' || ids.id)
            ORDER BY ids.id
            """, (object)events.Select(e => e.Id).ToArray());
        return $"Events without their task ({rows.Count}):\n" + string.Join("\n", rows.Select(r =>
            $"  {r[0]}: recorded {r[1]}, routed {r[2]}, instance {r[3] ?? "none"} {r[4]} incidents {r[5]} modified {r[6]}: {r[7]}"));
    }

    /// <summary>An Orleans client of the cluster in the test process, for the management grain.</summary>
    private static async Task<IHost> ConnectClientAsync(DurableService service)
    {
        var host = new HostBuilder()
            .UseOrleansClient(client =>
            {
                client.Configure<ClusterOptions>(o =>
                {
                    o.ClusterId = service.ClusterId;
                    o.ServiceId = "task-service";
                });
                client.UseAdoNetClustering(o =>
                {
                    o.Invariant = "Npgsql";
                    o.ConnectionString = service.ConnectionString;
                });
            })
            .Build();
        await host.StartAsync();
        return host;
    }

    private static async Task StopClientAsync(IHost host)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await host.StopAsync(timeout.Token);
    }

    /// <summary>An activation of a grain that handles events: its type's short name, its key, and the silo-to-silo port of its silo.</summary>
    private sealed record Activation(string Type, string Key, int SiloPort);

    /// <summary>One event: its id (the Idempotency-Key), its key, and the key of the one task its workflow creates.</summary>
    private sealed record TriggeredEvent(string Id, string Key)
    {
        public string TaskKey => $"task-{Id}";
    }

    /// <summary>Triggers events through the gateway, retrying each with its Idempotency-Key until it is accepted.</summary>
    private sealed class EventLoad(HttpClient gateway)
    {
        private static readonly TimeSpan PerEventDeadline = TimeSpan.FromSeconds(120);

        private int _accepted;
        private int _failedAttempts;

        public int Accepted => Volatile.Read(ref _accepted);

        public int FailedAttempts => Volatile.Read(ref _failedAttempts);

        public ConcurrentQueue<string> Failures { get; } = new();

        /// <summary>The status of each answer other than 202 (attempts whose connection failed have none).</summary>
        public ConcurrentQueue<HttpStatusCode> FailedStatuses { get; } = new();

        /// <summary>
        /// Triggers the events with <paramref name="workers"/> in parallel, each worker waiting <paramref name="pace"/> between its
        /// events: a steady load spread over time, not a wait for anything.
        /// </summary>
        public async Task TriggerAsync(TriggeredEvent[] events, int workers, TimeSpan pace)
        {
            var next = -1;
            await Task.WhenAll(Enumerable.Range(0, workers).Select(async _ =>
            {
                int index;
                while ((index = Interlocked.Increment(ref next)) < events.Length)
                {
                    await TriggerUntilAcceptedAsync(events[index]);
                    if (pace > TimeSpan.Zero)
                    {
                        await Task.Delay(pace);
                    }
                }
            }));
        }

        private async Task TriggerUntilAcceptedAsync(TriggeredEvent e)
        {
            var deadline = DateTime.UtcNow + PerEventDeadline;
            var backoff = TimeSpan.FromMilliseconds(100);
            while (true)
            {
                string failure;
                try
                {
                    using var response = await gateway.SendJsonAsync("POST", "/events/trigger", TestEvent.Keyed(e.Key).From("cluster-test").CreatingTask($"task-{e.Id}", $"Handle {e.Id}").Trigger, new Dictionary<string, string> { ["Idempotency-Key"] = e.Id });
                    if (response.StatusCode == HttpStatusCode.Accepted)
                    {
                        Interlocked.Increment(ref _accepted);
                        return;
                    }

                    var body = await response.Content.ReadAsStringAsync();
                    FailedStatuses.Enqueue(response.StatusCode);
                    if (response.StatusCode == HttpStatusCode.ServiceUnavailable)
                    {
                        Assert.NotNull(response.Headers.RetryAfter);
                    }

                    Assert.False((int)response.StatusCode is >= 400 and < 500, $"Trigger of {e.Id} refused with {(int)response.StatusCode}: {body}");
                    failure = $"{(int)response.StatusCode}: {body[..Math.Min(body.Length, 300)]}";
                }
                catch (Exception exception) when (exception is HttpRequestException or TaskCanceledException)
                {
                    failure = $"{exception.GetType().Name}: {exception.Message}";
                }

                Interlocked.Increment(ref _failedAttempts);
                Failures.Enqueue($"{e.Id}: {failure}");
                Assert.True(DateTime.UtcNow < deadline, $"Event {e.Id} was not accepted within {PerEventDeadline.TotalSeconds} s; last failure {failure}");
                await Task.Delay(backoff);
                backoff = TimeSpan.FromMilliseconds(Math.Min(backoff.TotalMilliseconds * 2, 2000));
            }
        }
    }
}
