using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;

namespace TaskService.Benchmarks;

/// <summary>
/// The end-to-end benchmark. Creates a database of its own on the given PostgreSQL server, hosts a silo (with its HTTP API)
/// and a webhook receiver in this process, sets up the walk-through's parent workflow over HTTP, sends a warm-up and then the
/// measured events, and reports throughput, latency, database work and memory. Exit code 0 only when every event was delivered.
/// </summary>
public static class Program
{
    private const string EventKey = "bench.case-opened";

    public static async Task<int> Main(string[] args)
    {
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
        // Room for every phase: warm-up, closed loop, open loop (at most as many events as the closed loop), idle.
        var log = new DeliveryLog(options.Warmup + options.WarmupMaxEvents + options.WarmupRound + 2 * options.Events + options.IdleEvents);
        using var exceptions = new ExceptionTally(options.ExceptionStacks);
        BenchmarkReport? report = null;
        try
        {
            await using var receiver = new WebhookReceiver(log);
            await receiver.StartAsync();

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
                Console.WriteLine($"[setup  ] silo on {silo.BaseAddress} in {report.SiloStartup.TotalSeconds:0.0} s; webhook receiver on {receiver.Url}");

                // Connections: one per concurrent client, so no client waits for another's connection.
                using var api = new TaskServiceApi(TaskServiceApi.CreateClient(silo.BaseAddress, silo.CreateAdminToken(), options.Concurrency));
                var (apiKey, apiSecret) = await api.CreateClientAppAsync($"benchmark-{runId}");
                receiver.UseSecret(apiSecret);
                await api.SubscribeAsync(apiKey, apiSecret, receiver.Url, WebhookReceiver.TaskCreated);
                await api.DeployParentWorkflowAsync();
                await api.MapEventAsync(EventKey, TaskServiceApi.ParentProcessId);
                Console.WriteLine($"[setup  ] client app, task-created subscription, parent.bpmn and the mapping {EventKey} -> {TaskServiceApi.ParentProcessId} in place");

                var driver = new LoadDriver(api, database, log, runId, EventKey, options.Concurrency, options.AwaitDelivery, options.DeliveryDeadline);
                if (options.Warmup > 0)
                {
                    Console.WriteLine($"[setup  ] warm-up: {options.Warmup} events, not measured");
                    report.Warmup = await driver.RunAsync("warm-up", 0, options.Warmup, silo.Stopping);
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
                        var round = await driver.RunAsync("warm-up", first, count, silo.Stopping, quiet: true);
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

                if (options.Rate is null)
                {
                    var firstTransaction = await database.NextTransactionIdAsync();
                    var exceptionsBefore = exceptions.Count;
                    await using var trace = options.Profile is { } profile
                        ? await TraceRecorder.StartAsync(options.DotnetTrace, profile, silo.Stopping)
                        : null;
                    report.BeforeRun = ProcessSnapshot.Take();
                    report.Run = await driver.RunAsync("run", next, options.Events, silo.Stopping);
                    report.AfterRun = ProcessSnapshot.Take();
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
                    var count = Math.Max(1, Math.Min(options.Events, (int)Math.Round(rate * options.Seconds)));
                    var openLoop = new LoadDriver(api, database, log, runId, EventKey, options.Concurrency, false, options.DeliveryDeadline);
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[setup  ] open loop: {count} events at {rate:0.0}/s"));
                    var firstTransaction = await database.NextTransactionIdAsync();
                    var before = ProcessSnapshot.Take();
                    var exceptionsBefore = exceptions.Count;
                    report.HalfLoad = await openLoop.RunOpenLoopAsync("open", next, count, rate, silo.Stopping);
                    next += report.HalfLoad.Sent;
                    if (report.Run is null)
                    {
                        // Open loop only: its figures are the run's.
                        report.Run = report.HalfLoad;
                        report.BeforeRun = before;
                        report.AfterRun = ProcessSnapshot.Take();
                        report.RunExceptions = exceptions.Count - exceptionsBefore;
                        report.ExceptionPlaces = exceptions.Top(8);
                        report.RunWriteTransactions = await database.NextTransactionIdAsync() - firstTransaction - 1;
                        report.RetainedHeapBytes = ProcessSnapshot.RetainedHeapBytes();
                    }
                }

                // Idle: one event at a time, each after the previous one's webhook.
                if (options.IdleEvents > 0 && !silo.Stopping.IsCancellationRequested)
                {
                    var idle = new LoadDriver(api, database, log, runId, EventKey, 1, true, options.DeliveryDeadline);
                    using var timeline = options.IdleTimeline ? new IdleTimeline() : null;
                    report.Idle = await idle.RunAsync("idle", next, options.IdleEvents, silo.Stopping);
                    timeline?.Print(Console.Out);
                }

                if (silo.Stopping.IsCancellationRequested)
                {
                    report.Interrupted = true;
                    report.Failures.Add("interrupted (Ctrl+C or SIGTERM): the figures cover only part of the run");
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
            }
            finally
            {
                Console.WriteLine("[finish ] stopping the silo");
                await silo.DisposeAsync();
            }

            report.Duplicates = log.Duplicates;
            report.BadSignatures = log.BadSignatures;
            report.UnknownDeliveries = log.Unknown;
            if (log.BadSignatures > 0)
            {
                report.Failures.Add($"{log.BadSignatures} deliveries had a signature that does not verify with the client app secret");
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
