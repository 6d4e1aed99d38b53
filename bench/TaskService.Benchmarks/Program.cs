using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace TaskService.Benchmarks;

/// <summary>
/// The end-to-end benchmark. Creates a database of its own on the given PostgreSQL server, hosts a silo (with its HTTP API)
/// in this process and the load driver with a webhook receiver in another (<see cref="LoadProcess"/>), sets up the walk-through's parent workflow over HTTP, sends a warm-up and then the
/// measured events, and reports throughput, latency, database work and memory. Exit code 0 only when every event was delivered.
/// </summary>
public static class Program
{
    private const string EventKey = "bench.case-opened";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == LoadProcess.Flag)
        {
            return await LoadProcess.RunAsync(args);
        }

        BenchmarkOptions options;
        try
        {
            options = BenchmarkOptions.Parse(args);
        }
        catch (ArgumentException exception)
        {
            Console.Error.WriteLine(exception.Message);
            Console.Error.WriteLine(BenchmarkOptions.Usage);
            return 2;
        }

        if (options.Help)
        {
            Console.WriteLine(BenchmarkOptions.Usage);
            return 0;
        }

        if (string.IsNullOrWhiteSpace(options.Postgres))
        {
            Console.Error.WriteLine($"No PostgreSQL server: pass --postgres or set {BenchmarkOptions.PostgresEnvironmentVariable} (scripts/bench.sh does both for you).");
            return 2;
        }

        try
        {
            var report = await RunAsync(options);
            report.Print(Console.Out);
            var output = options.Output ?? DefaultOutput();
            await report.WriteJsonAsync(output);
            Console.WriteLine($"Results written to {Path.GetRelativePath(Environment.CurrentDirectory, Path.GetFullPath(output))}");
            return report.Passed ? 0 : report.Interrupted ? 130 : 1;
        }
        catch (Exception exception)
        {
            Console.Error.WriteLine($"The benchmark could not run: {exception}");
            return 2;
        }
    }

    private static async Task<BenchmarkReport> RunAsync(BenchmarkOptions options)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var runId = startedAt.ToString("yyyyMMddHHmmss", CultureInfo.InvariantCulture) + "_" + Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(3));
        var database = await BenchmarkDatabase.CreateAsync(options.Postgres!, runId);
        Console.WriteLine($"[setup  ] database {database.Name} created");
        // Room for every phase: warm-up, closed loop, open loop (its rate times --seconds), idle.
        // The delivery log's pages are made as events are sent, so room costs nothing until it is used; past int.MaxValue events
        // an open loop is cut (and says so), rather than the sum overflowing.
        var capacity = (int)Math.Min(int.MaxValue,
            (long)options.Warmup + options.WarmupMaxEvents + options.WarmupRound + options.Events + options.OpenLoopRoom + options.IdleEvents);
        using var exceptions = new ExceptionTally(options.ExceptionStacks);
        using var commits = new GroupCommitTally();
        using var gcPauses = new GcPauses();
        BenchmarkReport? report = null;
        try
        {

            var siloStart = Stopwatch.GetTimestamp();
            var silo = await InProcessSilo.StartAsync(database.ConnectionString, options.IdleTimeline);
            try
            {
                report = new BenchmarkReport
                {
                    RunId = runId,
                    StartedAt = startedAt,
                    Options = options,
                    Server = await database.ReadServerSettingsAsync(),
                    SiloStartup = Stopwatch.GetElapsedTime(siloStart),
                };
                var token = silo.CreateAdminToken();
                await using var load = await RemoteLoad.StartAsync(silo.BaseAddress, token, database, runId, EventKey, capacity, options.DeliveryDeadline, options.Concurrency);
                Console.WriteLine($"[setup  ] silo on {silo.BaseAddress} in {report.SiloStartup.TotalSeconds:0.0} s; load driver and webhook receiver ({load.ReceiverUrl}) in a process of their own");

                // Connections: one per concurrent client, so no client waits for another's connection.
                using var api = new TaskServiceApi(TaskServiceApi.CreateClient(silo.BaseAddress, token, options.Concurrency));
                var (apiKey, apiSecret) = await api.CreateClientAppAsync($"benchmark-{runId}");
                await load.UseSecretAsync(apiSecret);
                await api.SubscribeAsync(apiKey, apiSecret, load.ReceiverUrl, WebhookReceiver.TaskCreated);
                await api.DeployParentWorkflowAsync();
                await api.MapEventAsync(EventKey, TaskServiceApi.ParentProcessId);
                Console.WriteLine($"[setup  ] client app, task-created subscription, parent.bpmn and the mapping {EventKey} -> {TaskServiceApi.ParentProcessId} in place");

                if (options.Warmup > 0)
                {
                    Console.WriteLine($"[setup  ] warm-up: {options.Warmup} events, not measured");
                    report.Warmup = await load.RunAsync("warm-up", 0, options.Warmup, options.Concurrency, options.AwaitDelivery);
                    if (silo.Stopping.IsCancellationRequested)
                    {
                        report.Interrupted = true;
                        report.Failures.Add("interrupted (Ctrl+C or SIGTERM) during the warm-up");
                        return report;
                    }

                    if (!report.Warmup.Complete)
                    {
                        report.Failures.Add($"warm-up: {report.Warmup.Delivered} of {report.Warmup.Sent} events delivered, {report.Warmup.FailedTriggers} triggers failed");
                        return report;
                    }
                }

                var next = options.Warmup;
                var (warmedUp, warmupFailure) = await JitWarmUp.RunAsync(
                    async (first, count) =>
                    {
                        var round = await load.RunAsync("warm-up", first, count, options.Concurrency, options.AwaitDelivery, quiet: true);
                        return (round.Sent, round.Complete ? null : $"warm-up: {round.Delivered} of {round.Sent} events delivered, {round.FailedTriggers} triggers failed");
                    },
                    next, options.WarmupRound, options.WarmupMaxEvents, options.WarmupJitShare, "delivered", Console.Out, silo.Stopping);
                next += warmedUp;
                report.WarmupEvents = next;
                if (warmupFailure is not null)
                {
                    report.Failures.Add(warmupFailure);
                    return report;
                }

                // The heap that survives a full GC, before the measured phases and after them all: memory stays flat when what
                // the phases leave behind does not grow with the events they carried.
                report.RetainedHeapBeforeBytes = ProcessSnapshot.RetainedHeapBytes();
                var firstMeasured = next;

                if (options.Rate is null)
                {
                    var firstTransaction = await database.NextTransactionIdAsync();
                    var exceptionsBefore = exceptions.Count;
                    await using var trace = options.Profile is { } profile
                        ? await TraceRecorder.StartAsync(options.DotnetTrace, profile, silo.Stopping)
                        : null;
                    var serverBefore = options.ServerPid is { } server ? ServerCpu.Read(server) : null;
                    report.BeforeRun = ProcessSnapshot.Take();
                    var commitsBefore = commits.Read();
                    var pausesBefore = gcPauses.Count;
                    var machineBefore = MachineCpu.Read();
                    report.Run = await load.RunAsync("run", next, options.Events, options.Concurrency, options.AwaitDelivery);
                    report.RunMachineBusyShare = machineBefore is { } m0 && MachineCpu.Read() is { } m1 ? m1.BusyShareSince(m0) : null;
                    report.AfterRun = ProcessSnapshot.Take();
                    report.RunGroupCommit = GroupCommitTally.Between(commitsBefore, commits.Read());
                    report.RunGcPauses = gcPauses.Between(pausesBefore);
                    report.RunServerCpu = options.ServerPid is { } pid && ServerCpu.Read(pid) is { } serverAfter ? serverAfter - serverBefore : null;
                    if (trace is not null)
                    {
                        Console.WriteLine("[profile] run done; waiting for dotnet-trace to write the trace (the rundown takes a while)");
                        Console.WriteLine(await trace.StopAsync(TimeSpan.FromMinutes(5))
                            ? $"[profile] trace of the run written to {trace.Output}"
                            : $"[profile] no complete trace of the run in {trace.Output}");
                    }

                    report.RunExceptions = exceptions.Count - exceptionsBefore;
                    report.ExceptionPlaces = exceptions.Top(8);
                    report.RunWriteTransactions = await database.NextTransactionIdAsync() - firstTransaction - 1;
                    report.RetainedHeapBytes = ProcessSnapshot.RetainedHeapBytes();
                    next += report.Run.Sent;
                }

                // Open loop: at the rate asked for, or at half the maximum just measured.
                var rate = options.Rate ?? (options.NoHalfLoad ? 0 : (report.Run?.EventsPerSecond ?? 0) / 2);
                if (rate > 0 && !silo.Stopping.IsCancellationRequested)
                {
                    var wanted = options.OpenLoopEvents(rate);
                    var count = (int)Math.Min(Math.Min(wanted, options.OpenLoopRoom), Math.Max(1L, (long)capacity - next - options.IdleEvents));
                    var capped = count < wanted
                        ? string.Create(CultureInfo.InvariantCulture, $"; {wanted} would not fit the delivery log, sized for half loads up to {BenchmarkOptions.HalfLoadMaxRate}/s")
                        : "";
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[setup  ] open loop: {count} events at {rate:0.0}/s ({count / rate:0.0} s){capped}"));
                    var firstTransaction = await database.NextTransactionIdAsync();
                    var before = ProcessSnapshot.Take();
                    var exceptionsBefore = exceptions.Count;
                    var serverBefore = options.ServerPid is { } server ? ServerCpu.Read(server) : null;
                    var machineBefore = MachineCpu.Read();
                    var commitsBefore = commits.Read();
                    var pausesBefore = gcPauses.Count;

                    // With --rate the open loop is the only phase measured, so --profile records it.
                    await using var trace = options.Rate is not null && options.Profile is { } profile
                        ? await TraceRecorder.StartAsync(options.DotnetTrace, profile, silo.Stopping)
                        : null;
                    report.HalfLoad = await load.RunAsync("open", next, count, options.Concurrency, awaitDelivery: false, rate: rate);
                    var machineAfter = MachineCpu.Read();
                    report.HalfLoadGroupCommit = GroupCommitTally.Between(commitsBefore, commits.Read());
                    report.HalfLoadGcPauses = gcPauses.Between(pausesBefore);
                    var serverCpu = options.ServerPid is { } pid && ServerCpu.Read(pid) is { } serverAfter ? serverAfter - serverBefore : null;
                    var after = ProcessSnapshot.Take();
                    if (trace is not null)
                    {
                        Console.WriteLine("[profile] open loop done; waiting for dotnet-trace to write the trace (the rundown takes a while)");
                        Console.WriteLine(await trace.StopAsync(TimeSpan.FromMinutes(5))
                            ? $"[profile] trace of the open loop written to {trace.Output}"
                            : $"[profile] no complete trace of the open loop in {trace.Output}");
                    }

                    report.HalfLoadCpu = new PhaseCpu(
                        after.CpuTime - before.CpuTime,
                        serverCpu,
                        machineBefore is { } m0 && machineAfter is { } m1 ? m1.BusyShareSince(m0) : null,
                        after.ThreadPoolWorkItems - before.ThreadPoolWorkItems);
                    next += report.HalfLoad.Sent;
                    if (report.Run is null)
                    {
                        // Open loop only: its figures are the run's.
                        report.Run = report.HalfLoad;
                        report.BeforeRun = before;
                        report.AfterRun = after;
                        report.RunExceptions = exceptions.Count - exceptionsBefore;
                        report.ExceptionPlaces = exceptions.Top(8);
                        report.RunWriteTransactions = await database.NextTransactionIdAsync() - firstTransaction - 1;
                        report.RetainedHeapBytes = ProcessSnapshot.RetainedHeapBytes();
                        report.RunServerCpu = serverCpu;
                        report.RunGroupCommit = report.HalfLoadGroupCommit;
                        report.RunGcPauses = report.HalfLoadGcPauses;
                        report.RunMachineBusyShare = report.HalfLoadCpu.MachineBusyShare;
                    }
                }

                // Idle: one event at a time, each after the previous one's webhook.
                if (options.IdleEvents > 0 && !silo.Stopping.IsCancellationRequested)
                {
                    using var timeline = options.IdleTimeline ? new IdleTimeline() : null;
                    report.Idle = await load.RunAsync("idle", next, options.IdleEvents, concurrency: 1, awaitDelivery: true);
                    timeline?.Print(Console.Out);
                }

                if (silo.Stopping.IsCancellationRequested)
                {
                    report.Interrupted = true;
                    report.Failures.Add("interrupted (Ctrl+C or SIGTERM): the figures cover only part of the run");
                }
                else
                {
                    report.RetainedHeapAtEndBytes = ProcessSnapshot.RetainedHeapBytes();
                    report.MeasuredEvents = next - firstMeasured;
                }

                foreach (var phase in new[] { report.HalfLoad, report.Idle })
                {
                    if (phase is { } p && !report.Interrupted && (p.Delivered < p.Sent || p.FailedTriggers > 0))
                    {
                        report.Failures.Add($"{p.Name}: {p.Delivered} of {p.Sent} events delivered, {p.FailedTriggers} triggers failed");
                    }
                }

                if (report.Run is null)
                {
                    report.Failures.Add("nothing was measured");
                    return report;
                }

                if (report.Run.FailedTriggers > 0)
                {
                    report.Failures.Add($"{report.Run.FailedTriggers} triggers were not accepted");
                }

                if (report.Run.Delivered < report.Run.Sent && !report.Interrupted)
                {
                    report.Failures.Add($"{report.Run.Sent - report.Run.Delivered} of {report.Run.Sent} events had no task-created webhook {options.DeliveryDeadline.TotalSeconds:0} s after the last trigger");
                }

                var counts = await load.CountsAsync();
                report.Duplicates = counts.Duplicates;
                report.BadSignatures = counts.BadSignatures;
                report.UnknownDeliveries = counts.Unknown;
                if (counts.BadSignatures > 0)
                {
                    report.Failures.Add($"{counts.BadSignatures} deliveries had a signature that does not verify with the client app secret");
                }
            }
            finally
            {
                Console.WriteLine("[finish ] stopping the silo");
                await silo.DisposeAsync();
            }

            report.Database = await database.ReadActivityAsync();
            return report;
        }
        finally
        {
            if (options.KeepDatabase)
            {
                Console.WriteLine($"[finish ] database {database.Name} kept: {database.ConnectionString}");
            }
            else
            {
                await database.DropAsync();
            }
        }
    }

    /// <summary>bench/results/latest.json of the repository this program was built in (found by walking up to TaskService.sln).</summary>
    private static string DefaultOutput()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "TaskService.sln")))
            {
                return Path.Combine(directory.FullName, "bench", "results", "latest.json");
            }
        }

        return Path.Combine(Environment.CurrentDirectory, "latest.json");
    }
}
