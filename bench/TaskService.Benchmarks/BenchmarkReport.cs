using System.Globalization;
using System.Runtime;
using System.Runtime.InteropServices;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace TaskService.Benchmarks;

/// <summary>Everything one run measured: printed as a summary and written as JSON.</summary>
internal sealed class BenchmarkReport
{
    public required string RunId { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public required BenchmarkOptions Options { get; init; }

    public required ServerSettings Server { get; init; }

    public required TimeSpan SiloStartup { get; init; }

    public PhaseResult? Warmup { get; set; }

    /// <summary>Warm-up events in all (the fixed warm-up and the rounds until the JIT settled).</summary>
    public int WarmupEvents { get; set; }

    public PhaseResult? Run { get; set; }

    /// <summary>The open-loop phase (at half the measured maximum, or at --rate).</summary>
    public PhaseResult? HalfLoad { get; set; }

    /// <summary>What the open-loop phase cost the silo, PostgreSQL and the machine.</summary>
    public PhaseCpu? HalfLoadCpu { get; set; }

    /// <summary>Group-commit batches and their writes by lane during the run (<see cref="GroupCommitTally"/>).</summary>
    public IReadOnlyDictionary<string, LaneTally>? RunGroupCommit { get; set; }

    /// <summary>Group-commit batches and their writes by lane during the open loop.</summary>
    public IReadOnlyDictionary<string, LaneTally>? HalfLoadGroupCommit { get; set; }

    /// <summary>The silo process's GC pauses during the open-loop phase.</summary>
    public PauseSummary? HalfLoadGcPauses { get; set; }

    /// <summary>The silo process's GC pauses during the closed-loop phase.</summary>
    public PauseSummary? RunGcPauses { get; set; }

    /// <summary>One event at a time on an otherwise idle service.</summary>
    public PhaseResult? Idle { get; set; }

    /// <summary>Writing transactions of the server during the measured phase (transaction ids taken).</summary>
    public long? RunWriteTransactions { get; set; }

    public ProcessSnapshot? BeforeRun { get; set; }

    public ProcessSnapshot? AfterRun { get; set; }

    /// <summary>The PostgreSQL server's CPU time during the closed-loop run (<see cref="ServerCpu"/>), when it was read.</summary>
    public TimeSpan? RunServerCpu { get; set; }

    /// <summary>
    /// How busy the whole machine was during the closed loop (all processes, from <c>/proc/stat</c>): near 1, the cores set
    /// the maximum; well below it, the clients' round trips did (more <c>--concurrency</c> would carry more).
    /// </summary>
    public double? RunMachineBusyShare { get; set; }

    public long? RetainedHeapBytes { get; set; }

    /// <summary>
    /// The most heap the measured phases may leave behind per event they carried for memory to count as flat: a task's or a
    /// delivery's state kept in memory would cost several hundred bytes each.
    /// </summary>
    public const int FlatHeapBytesPerEvent = 100;

    /// <summary>The heap left after a full GC once the warm-up is over, before the first measured phase.</summary>
    public long? RetainedHeapBeforeBytes { get; set; }

    /// <summary>The heap left after a full GC once every measured phase is over (null when the run was interrupted).</summary>
    public long? RetainedHeapAtEndBytes { get; set; }

    /// <summary>Events sent by the measured phases, between <see cref="RetainedHeapBeforeBytes"/> and <see cref="RetainedHeapAtEndBytes"/>.</summary>
    public int MeasuredEvents { get; set; }

    public DatabaseActivity? Database { get; set; }

    /// <summary>First-chance exceptions thrown in this process during the measured phase.</summary>
    public long? RunExceptions { get; set; }

    /// <summary>Where they were thrown, most frequent first (with --exception-stacks).</summary>
    public IReadOnlyList<(string Place, int Count)> ExceptionPlaces { get; set; } = [];

    public int Duplicates { get; set; }

    public int BadSignatures { get; set; }

    public int UnknownDeliveries { get; set; }

    public List<string> Failures { get; } = [];

    /// <summary>Stopped early by Ctrl+C or SIGTERM.</summary>
    public bool Interrupted { get; set; }

    public bool Passed => Failures.Count == 0;

    private int TotalEvents => Math.Max(WarmupEvents, Warmup?.Sent ?? 0) + (Run?.Sent ?? 0) + (HalfLoad is { } h && h != Run ? h.Sent : 0) + (Idle?.Sent ?? 0);

    private IEnumerable<PhaseResult> Phases => new[] { Run, HalfLoad == Run ? null : HalfLoad, Idle }.OfType<PhaseResult>();

    private double? RatioTo(double? tps) => Run is { EventsPerSecond: > 0 } run && tps is > 0 ? run.EventsPerSecond / tps : null;

    public void Print(TextWriter output)
    {
        string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
        static string Mb(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture) + " MB";

        output.WriteLine();
        output.WriteLine($"=== TaskService end-to-end benchmark, run {RunId} ===");
        output.WriteLine("path: POST /events/trigger -> event router -> parent-process (create-tasks) -> task -> outbox -> task-created webhook");
        output.WriteLine(F($"events {Options.Events}, concurrency {Options.Concurrency}{(Options.AwaitDelivery ? " (each awaits its delivery)" : "")}, warm-up {Math.Max(WarmupEvents, Options.Warmup)}; {Environment.ProcessorCount} CPUs, {RuntimeInformation.FrameworkDescription}, server GC {GCSettings.IsServerGC}"));
        output.WriteLine(F($"PostgreSQL {Server.Version} (fsync={Server.Fsync}, synchronous_commit={Server.SynchronousCommit}); silo started in {SiloStartup.TotalSeconds:0.0} s (migrations included)"));
        output.WriteLine();
        if (Run is { } run)
        {
            output.WriteLine(F($"Throughput      {run.EventsPerSecond,8:0.0} events/s   ({run.Delivered} delivered, first trigger to last webhook {run.WallTime.TotalSeconds:0.00} s)"));
            output.WriteLine(F($"Triggers        {run.TriggersPerSecond,8:0.0} accepted/s ({run.Sent} sent in {run.SendDuration.TotalSeconds:0.00} s, {run.RetriedTriggers} retried, {run.FailedTriggers} failed)"));
            output.WriteLine(F($"Latency         trigger sent -> webhook arrived: p50 {run.EndToEnd.P50:0.0} ms  p90 {run.EndToEnd.P90:0.0} ms  p99 {run.EndToEnd.P99:0.0} ms  max {run.EndToEnd.Max:0.0} ms  (mean {run.EndToEnd.Mean:0.0} ms)"));
            output.WriteLine(F($"                trigger sent -> 202 answer:      p50 {run.TriggerResponse.P50:0.0} ms  p90 {run.TriggerResponse.P90:0.0} ms  p99 {run.TriggerResponse.P99:0.0} ms  max {run.TriggerResponse.Max:0.0} ms"));
            output.WriteLine(F($"Delivered       {run.Delivered} / {run.Sent} {(run.Complete ? "(all)" : "(MISSING " + (run.Sent - run.Delivered) + ")")}; duplicates {Duplicates}, bad signatures {BadSignatures}, unmatched {UnknownDeliveries}"));
        }

        output.WriteLine(F($"pgbench         single-row INSERT commits on the same server: 1 client {Tps(Options.PgbenchTps1)}, {Options.PgbenchClients?.ToString(CultureInfo.InvariantCulture) ?? "N"} clients {Tps(Options.PgbenchTpsN)}{(Options.PgbenchSeconds is { } s ? F($" ({s:0} s each)") : "")}"));
        if (Run is { Delivered: > 0 } measured && RunWriteTransactions is { } writes)
        {
            var perEvent = (double)writes / measured.Delivered;
            output.WriteLine(F($"Database        {perEvent:0.0} writing transactions per event -> {writes / measured.WallTime.TotalSeconds:0} write tx/s during the run") +
                (Options.PgbenchTpsN is { } n ? F($" ({100 * writes / measured.WallTime.TotalSeconds / n:0}% of pgbench's {Options.PgbenchClients}-client rate)") : ""));
        }

        if (Database is { } database && TotalEvents > 0)
        {
            output.WriteLine(F($"                {(double)database.Commits / TotalEvents:0.0} commits per event over the whole run (reads included), {database.Rollbacks} rollbacks"));
            output.WriteLine("                rows per event (inserted / updated / deleted):");
            foreach (var table in database.Tables.Take(10))
            {
                output.WriteLine(F($"                  {table.Table,-40} {(double)table.Inserted / TotalEvents,6:0.00} / {(double)table.Updated / TotalEvents,6:0.00} / {(double)table.Deleted / TotalEvents,6:0.00}"));
            }
        }

        if (AfterRun is { } after)
        {
            output.WriteLine($"Memory          working set {Mb(after.WorkingSetBytes)} (peak {Mb(after.PeakWorkingSetBytes)}), GC heap {Mb(after.GcHeapBytes)} " +
                $"(committed {Mb(after.GcCommittedBytes)}, {(RetainedHeapBytes is { } retained ? Mb(retained) : "?")} after a full GC); the silo's process (the load driver and the receiver run in another)");
            if (BeforeRun is { } before && Run is { Delivered: > 0 } r)
            {
                var cpu = after.CpuTime - before.CpuTime;
                var kernel = after.KernelCpuTime - before.KernelCpuTime;
                output.WriteLine(F($"CPU / GC        {cpu.TotalSeconds:0.0} s CPU during the run = {cpu.TotalMilliseconds / r.Delivered:0.00} ms per event ({100 * cpu.TotalSeconds / r.WallTime.TotalSeconds / Environment.ProcessorCount:0}% of {Environment.ProcessorCount} cores; {(cpu > TimeSpan.Zero ? 100 * kernel / cpu : 0):0}% of it in the kernel); ") +
                    F($"{Mb(after.AllocatedBytes - before.AllocatedBytes)} allocated ({(after.AllocatedBytes - before.AllocatedBytes) / 1024.0 / r.Delivered:0} KB per event); GCs gen0 {after.Gen0Collections - before.Gen0Collections}, gen1 {after.Gen1Collections - before.Gen1Collections}, gen2 {after.Gen2Collections - before.Gen2Collections}; {after.ThreadCount} threads; ") +
                    F($"{(double)(after.ThreadPoolWorkItems - before.ThreadPoolWorkItems) / r.Delivered:0.0} thread-pool work items per event"));
                if (RunServerCpu is { } server)
                {
                    output.WriteLine(F($"                PostgreSQL: {server.TotalSeconds:0.0} s CPU during the run = {server.TotalMilliseconds / r.Delivered:0.00} ms per event ({100 * server.TotalSeconds / r.WallTime.TotalSeconds / Environment.ProcessorCount:0}% of {Environment.ProcessorCount} cores; its processes and those it reaped)"));
                }

                if (r.LoadCpu is { } load)
                {
                    output.WriteLine(F($"                load process: {load.TotalSeconds:0.0} s CPU during the run = {load.TotalMilliseconds / r.Delivered:0.00} ms per event ({100 * load.TotalSeconds / r.WallTime.TotalSeconds / Environment.ProcessorCount:0}% of {Environment.ProcessorCount} cores; sending triggers, receiving and checking webhooks)"));
                }

                if (RunGcPauses is { } pauses)
                {
                    output.WriteLine($"                GC pauses: {PausesText(pauses)}");
                }

                if (RunServerCpu is { } db && r.LoadCpu is { } driver)
                {
                    // The three share the cores: at this cost per event the machine cannot carry more than this, however the
                    // path waits.
                    var total = (cpu + db + driver).TotalMilliseconds / r.Delivered;
                    var busy = RunMachineBusyShare is { } share ? F($"; the machine was {100 * share:0}% busy") : "";
                    output.WriteLine(F($"                together {total:0.00} ms per event: {Environment.ProcessorCount} cores carry at most {Environment.ProcessorCount * 1000 / total:0} events/s at that cost{busy}"));
                }
            }
        }

        if (RunExceptions is { } thrown && Run is { Delivered: > 0 } x)
        {
            output.WriteLine(F($"Exceptions      {thrown} thrown (first chance) during the run = {(double)thrown / x.Delivered:0.00} per event"));
            foreach (var (place, count) in ExceptionPlaces)
            {
                output.WriteLine(F($"                {count,7}  {place}"));
            }
        }

        PrintTargets(output);
        output.WriteLine();
        output.WriteLine(Passed ? "RESULT: PASS (every event delivered)" : "RESULT: FAIL - " + string.Join("; ", Failures));

        static string Tps(double? tps) => tps is { } value ? value.ToString("0", CultureInfo.InvariantCulture) + " tps" : "not measured";
    }

    /// <summary>Each target line of the speed issue with the value this run measured.</summary>
    private void PrintTargets(TextWriter output)
    {
        string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
        static string Ms(double? value) => value is { } v ? v.ToString("0.0", CultureInfo.InvariantCulture) + " ms" : "-";
        static string X(double? value) => value is { } v ? v.ToString("0.000", CultureInfo.InvariantCulture) + "x" : "-";
        output.WriteLine();
        output.WriteLine("Targets                                   measured                          target");
        void Line(string name, string measured, string target) => output.WriteLine(F($"  {name,-40}{measured,-34}{target}"));
        Line("throughput / pgbench 1 client", F($"{X(RatioTo(Options.PgbenchTps1))} ({Run?.EventsPerSecond ?? 0:0.0} events/s)"), ">= 1.0x");
        Line(F($"throughput / pgbench {Options.PgbenchClients ?? 0} clients"), X(RatioTo(Options.PgbenchTpsN)), ">= 1.0x (next goal)");
        Line(F($"half load ({HalfLoad?.Rate ?? 0:0.0}/s) p50 / p99"), $"{Ms(HalfLoad?.EndToEnd.P50)} / {Ms(HalfLoad?.EndToEnd.P99)}", "<= 10 ms / <= 50 ms");
        Line("  of which trigger -> 202 p50 / p99", $"{Ms(HalfLoad?.TriggerResponse.P50)} / {Ms(HalfLoad?.TriggerResponse.P99)}", "");
        if (HalfLoadCpu is { } cost && HalfLoad is { Delivered: > 0 } open)
        {
            // Per event, the silo and the server cost more at half load than at the maximum (smaller batches, more wake-ups):
            // how busy the machine was tells whether the latency above is the service's or queueing for the cores.
            var server = cost.ServerCpu is { } s ? F($", PostgreSQL {s.TotalMilliseconds / open.Delivered:0.00} ms") : "";
            var busy = cost.MachineBusyShare is { } b ? F($"machine {100 * b:0}% busy; ") : "";
            var load = open.LoadCpuMsPerEvent is { } l ? F($", load {l:0.00} ms") : "";
            Line("  cost at half load", F($"{busy}per event silo {cost.SiloCpu.TotalMilliseconds / open.Delivered:0.00} ms{server}{load}, {(double)cost.WorkItems / open.Delivered:0.0} work items"), "");
        }

        if (GroupCommitText(HalfLoadGroupCommit, HalfLoad) is { } halfCommits)
        {
            Line("  group commit at half load", halfCommits, "");
        }

        if (HalfLoadGcPauses is { } halfPauses)
        {
            // Every request and batch in flight waits out a pause: the longest ones show up as clusters of slow events.
            Line("  GC pauses at half load", PausesText(halfPauses), "");
        }

        Line("idle single event p50 (p99)", $"{Ms(Idle?.EndToEnd.P50)} ({Ms(Idle?.EndToEnd.P99)})", "<= 5 ms");
        Line("write transactions per event", Run is { Delivered: > 0 } r && RunWriteTransactions is { } w ? F($"{(double)w / r.Delivered:0.00}") : "-", "<= 1");
        if (GroupCommitText(RunGroupCommit, Run) is { } runCommits)
        {
            Line("  group commit at the maximum", runCommits, "");
        }
        if (BeforeRun is { } before && AfterRun is { } after && Run is { Delivered: > 0 } run)
        {
            Line("process CPU per event", F($"{(after.CpuTime - before.CpuTime).TotalMilliseconds / run.Delivered:0.00} ms"), "<= 0.4 ms");
            Line("allocated per event", F($"{(after.AllocatedBytes - before.AllocatedBytes) / 1024.0 / run.Delivered:0} KB"), "<= 50 KB");
        }

        if (RetainedHeapBeforeBytes is { } heapBefore && RetainedHeapAtEndBytes is { } heapAtEnd && MeasuredEvents > 0)
        {
            // What the measured phases left behind, per event they carried: state kept per event would show as a steady
            // growth (a few hundred bytes each), caches filling once as a step that does not grow with the events.
            Line("memory flat (heap after a full GC)",
                F($"{heapBefore / 1048576.0:0.0} -> {heapAtEnd / 1048576.0:0.0} MB, {(double)(heapAtEnd - heapBefore) / MeasuredEvents:0} B/event"),
                F($"flat (< {FlatHeapBytesPerEvent} B per event carried)"));
        }

        Line("first-chance exceptions per event", RunExceptions is { } e && Run is { Delivered: > 0 } d ? F($"{(double)e / d.Delivered:0.00}") : "-", "0");
        Line("backpressure: accepted / refused (503)", F($"{Phases.Sum(p => p.Sent - p.FailedTriggers)} / {Phases.Sum(p => p.RefusedTriggers)}"), "503 + Retry-After over the bound");
        Line("backpressure: largest backlog seen", F($"{(Phases.Any() ? Phases.Max(p => p.MaxBacklog) : 0)} events"), "bounded (TaskService:Events:MaxBacklog)");
    }

    private static string PausesText(PauseSummary p) =>
        string.Create(CultureInfo.InvariantCulture,
            $"{p.Count}, {p.TotalMs:0} ms in all; longest {p.LongestMs:0.0} ms (gen {p.LongestGeneration}); {p.AtLeast10Ms} of 10 ms or more");

    private static object? PausesJson(PauseSummary? p) => p is null ? null : new
    {
        count = p.Count,
        totalMs = Math.Round(p.TotalMs, 2),
        longestMs = Math.Round(p.LongestMs, 2),
        longestGeneration = p.LongestGeneration,
        atLeast10Ms = p.AtLeast10Ms,
    };

    /// <summary>Writes per batch and batches per event of each lane, or null without batches (the embedded store).</summary>
    private static string? GroupCommitText(IReadOnlyDictionary<string, LaneTally>? lanes, PhaseResult? phase) =>
        lanes is null || phase is not { Delivered: > 0 } || lanes.Values.All(l => l.Batches == 0)
            ? null
            : string.Join("; ", lanes.OrderBy(l => l.Key, StringComparer.Ordinal).Where(l => l.Value.Batches > 0).Select(l => string.Create(
                CultureInfo.InvariantCulture,
                $"{l.Key} {(double)l.Value.Writes / l.Value.Batches:0.0} writes/batch of {1000 * l.Value.Seconds / l.Value.Batches:0.0} ms " +
                $"(longest {1000 * l.Value.Longest:0.0} ms), {(double)l.Value.Batches / phase.Delivered:0.00}/event")));

    private static object? GroupCommitJson(IReadOnlyDictionary<string, LaneTally>? lanes, PhaseResult? phase) =>
        lanes is null || phase is not { Delivered: > 0 }
            ? null
            : lanes.ToDictionary(l => l.Key, l => new
            {
                batches = l.Value.Batches,
                writes = l.Value.Writes,
                writesPerBatch = l.Value.Batches > 0 ? Math.Round((double)l.Value.Writes / l.Value.Batches, 2) : (double?)null,
                batchesPerEvent = Math.Round((double)l.Value.Batches / phase.Delivered, 3),
                batchMs = l.Value.Batches > 0 ? Math.Round(1000 * l.Value.Seconds / l.Value.Batches, 2) : (double?)null,
                longestBatchMs = l.Value.Batches > 0 ? Math.Round(1000 * l.Value.Longest, 2) : (double?)null,
            });

    public async Task WriteJsonAsync(string path)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var json = new
        {
            runId = RunId,
            startedAt = StartedAt,
            passed = Passed,
            failures = Failures,
            settings = new { events = Options.Events, concurrency = Options.Concurrency, awaitDelivery = Options.AwaitDelivery, warmup = Options.Warmup, warmupEvents = WarmupEvents, rate = Options.Rate, seconds = Options.Seconds, idleEvents = Options.IdleEvents },
            machine = new
            {
                processorCount = Environment.ProcessorCount,
                os = RuntimeInformation.OSDescription,
                framework = RuntimeInformation.FrameworkDescription,
                serverGc = GCSettings.IsServerGC,
            },
            postgres = new
            {
                version = Server.Version,
                fsync = Server.Fsync,
                synchronousCommit = Server.SynchronousCommit,
                pgbench = new
                {
                    description = "custom script: one single-row INSERT per transaction, over TCP, same server",
                    seconds = Options.PgbenchSeconds,
                    tps1Client = Options.PgbenchTps1,
                    clients = Options.PgbenchClients,
                    tpsNClients = Options.PgbenchTpsN,
                },
            },
            siloStartupSeconds = Math.Round(SiloStartup.TotalSeconds, 2),
            run = Phase(Run, RunMachineBusyShare),
            warmup = Phase(Warmup),
            halfLoad = HalfLoad is { } half ? new
            {
                rate = Math.Round(half.Rate ?? 0, 2),
                eventsPerSecond = Math.Round(half.EventsPerSecond, 2),
                latencyMs = new { p50 = Math.Round(half.EndToEnd.P50, 2), p90 = Math.Round(half.EndToEnd.P90, 2), p99 = Math.Round(half.EndToEnd.P99, 2), max = Math.Round(half.EndToEnd.Max, 2) },
                triggerResponseMs = new { p50 = Math.Round(half.TriggerResponse.P50, 2), p99 = Math.Round(half.TriggerResponse.P99, 2) },
                siloCpuMsPerEvent = HalfLoadCpu is { } c && half.Delivered > 0 ? Math.Round(c.SiloCpu.TotalMilliseconds / half.Delivered, 3) : (double?)null,
                databaseCpuMsPerEvent = HalfLoadCpu?.ServerCpu is { } sc && half.Delivered > 0 ? Math.Round(sc.TotalMilliseconds / half.Delivered, 3) : (double?)null,
                loadCpuMsPerEvent = half.LoadCpuMsPerEvent is { } lc ? Math.Round(lc, 3) : (double?)null,
                machineBusyShare = HalfLoadCpu?.MachineBusyShare is { } share ? Math.Round(share, 3) : (double?)null,
                threadPoolWorkItemsPerEvent = HalfLoadCpu is { } items && half.Delivered > 0 ? Math.Round((double)items.WorkItems / half.Delivered, 2) : (double?)null,
                groupCommit = GroupCommitJson(HalfLoadGroupCommit, half),
                gcPauses = PausesJson(HalfLoadGcPauses),
            } : null,
            idle = Idle is { } idle ? new { latencyMs = new { p50 = Math.Round(idle.EndToEnd.P50, 2), p99 = Math.Round(idle.EndToEnd.P99, 2) } } : null,
            ratios = new
            {
                toPgbench1 = RatioTo(Options.PgbenchTps1) is { } r1 ? Math.Round(r1, 4) : (double?)null,
                toPgbenchN = RatioTo(Options.PgbenchTpsN) is { } rn ? Math.Round(rn, 4) : (double?)null,
            },
            backpressure = new
            {
                accepted = Phases.Sum(p => p.Sent - p.FailedTriggers),
                refused = Phases.Sum(p => p.RefusedTriggers),
                maxBacklog = Phases.Any() ? Phases.Max(p => p.MaxBacklog) : 0,
            },
            deliveries = new { duplicates = Duplicates, badSignatures = BadSignatures, unmatched = UnknownDeliveries },
            database = new
            {
                runWriteTransactions = RunWriteTransactions,
                runGroupCommit = GroupCommitJson(RunGroupCommit, Run),
                writeTransactionsPerEvent = Run is { Delivered: > 0 } r && RunWriteTransactions is { } w ? (double?)w / r.Delivered : null,
                commitsPerEvent = Database is { } d && TotalEvents > 0 ? (double?)d.Commits / TotalEvents : null,
                rollbacks = Database?.Rollbacks,
                runCpuSeconds = RunServerCpu?.TotalSeconds,
                runCpuMsPerEvent = RunServerCpu is { } server && Run is { Delivered: > 0 } delivered ? server.TotalMilliseconds / delivered.Delivered : (double?)null,
                tables = Database?.Tables.Select(t => new
                {
                    table = t.Table,
                    inserted = t.Inserted,
                    updated = t.Updated,
                    deleted = t.Deleted,
                    sequentialScans = t.SequentialScans,
                    indexScans = t.IndexScans,
                }),
            },
            process = AfterRun is { } after ? new
            {
                workingSetBytes = after.WorkingSetBytes,
                peakWorkingSetBytes = after.PeakWorkingSetBytes,
                gcHeapBytes = after.GcHeapBytes,
                gcCommittedBytes = after.GcCommittedBytes,
                retainedHeapBytes = RetainedHeapBytes,
                retainedHeapBeforeBytes = RetainedHeapBeforeBytes,
                retainedHeapAtEndBytes = RetainedHeapAtEndBytes,
                retainedHeapBytesPerEvent = RetainedHeapBeforeBytes is { } hb && RetainedHeapAtEndBytes is { } he && MeasuredEvents > 0
                    ? Math.Round((double)(he - hb) / MeasuredEvents, 1) : (double?)null,
                runCpuSeconds = BeforeRun is { } before ? (after.CpuTime - before.CpuTime).TotalSeconds : (double?)null,
                runKernelCpuSeconds = BeforeRun is { } k ? (after.KernelCpuTime - k.KernelCpuTime).TotalSeconds : (double?)null,
                runAllocatedBytes = BeforeRun is { } b ? after.AllocatedBytes - b.AllocatedBytes : (long?)null,
                threads = after.ThreadCount,
                runThreadPoolWorkItems = BeforeRun is { } bw ? after.ThreadPoolWorkItems - bw.ThreadPoolWorkItems : (long?)null,
                runGcPauses = PausesJson(RunGcPauses),
                runFirstChanceExceptions = RunExceptions,
            } : null,
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(json, new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + Environment.NewLine);
    }

    private static object? Phase(PhaseResult? phase, double? machineBusyShare = null) => phase is null ? null : new
    {
        sent = phase.Sent,
        delivered = phase.Delivered,
        failedTriggers = phase.FailedTriggers,
        retriedTriggers = phase.RetriedTriggers,
        eventsPerSecond = Math.Round(phase.EventsPerSecond, 2),
        triggersPerSecond = Math.Round(phase.TriggersPerSecond, 2),
        wallSeconds = Math.Round(phase.WallTime.TotalSeconds, 3),
        sendSeconds = Math.Round(phase.SendDuration.TotalSeconds, 3),
        latencyMs = Round(phase.EndToEnd),
        triggerResponseMs = Round(phase.TriggerResponse),
        loadCpuMsPerEvent = phase.LoadCpuMsPerEvent is { } load ? Math.Round(load, 3) : (double?)null,
        machineBusyShare = machineBusyShare is { } share ? Math.Round(share, 3) : (double?)null,
    };

    private static object Round(LatencySummary s) => new
    {
        count = s.Count,
        mean = Math.Round(s.Mean, 2),
        p50 = Math.Round(s.P50, 2),
        p90 = Math.Round(s.P90, 2),
        p99 = Math.Round(s.P99, 2),
        max = Math.Round(s.Max, 2),
    };
}
