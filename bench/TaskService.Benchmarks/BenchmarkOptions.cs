using System.Globalization;

namespace TaskService.Benchmarks;

/// <summary>What to run, from the command line (<c>--name value</c>); <c>--help</c> lists them.</summary>
internal sealed class BenchmarkOptions
{
    public const string PostgresEnvironmentVariable = "TASKSERVICE_BENCH_POSTGRES";

    /// <summary>
    /// Events of the closed loop, the maximum: about 4-5 s at what the path carries on 2 cores. At 5,000, the former default,
    /// it lasted about 1.1 s, so one stall of the host (50-200 ms when it takes the cores away) or the last events' drain
    /// moved the figure by several percent.
    /// </summary>
    public int Events { get; private set; } = 20_000;

    /// <summary>
    /// Concurrent HTTP clients triggering events. The closed loop measures the maximum only when its clients keep the machine
    /// busy: each waits for its 202, so C clients send at most C events per trigger round trip. With 32, the round trip at the
    /// maximum (7-8 ms) set the pace and the machine (2 cores, silo, PostgreSQL and load process together) stayed 79-84% busy;
    /// with 64 it was 87-92% busy and carried 26-46% more events/s, at 13-24% less CPU per event (fuller commits), in three
    /// alternated pairs of 15,000 events. With 128 the backlog reached the bound and triggers were refused: over the maximum.
    /// </summary>
    public const int DefaultConcurrency = 64;

    /// <summary>Concurrent HTTP clients triggering events (<see cref="DefaultConcurrency"/>).</summary>
    public int Concurrency { get; private set; } = DefaultConcurrency;

    /// <summary>Each client sends its next event only once the previous one's webhook arrived (one event in flight per client).</summary>
    public bool AwaitDelivery { get; private set; }

    /// <summary>
    /// Open loop only: send at this many events per second for <see cref="Seconds"/> (no closed-loop maximum is measured).
    /// Without it the run measures the maximum (closed loop) and then runs open-loop at half of it.
    /// </summary>
    public double? Rate { get; private set; }

    /// <summary>How long the open-loop phase sends: <see cref="Rate"/> (or half the maximum) times this many events.</summary>
    public int Seconds { get; private set; } = 10;

    /// <summary>
    /// The most events per second the open loop at half the maximum is given room for in the load process's delivery log
    /// (which is sized before the maximum is known): far above what a silo and its database carry on one machine. A faster
    /// half load sends fewer events than <see cref="Seconds"/> asks for, and says so.
    /// </summary>
    public const int HalfLoadMaxRate = 25_000;

    /// <summary>The open-loop phase's events at <paramref name="rate"/> per second for <see cref="Seconds"/>, at least one.</summary>
    public int OpenLoopEvents(double rate) => (int)Math.Max(1, Math.Min(int.MaxValue / 4, Math.Round(rate * Seconds)));

    /// <summary>The most events the open-loop phase can send: at <see cref="Rate"/>, or at half the maximum up to <see cref="HalfLoadMaxRate"/>.</summary>
    public int OpenLoopRoom => Rate is { } rate ? OpenLoopEvents(rate) : NoHalfLoad ? 0 : OpenLoopEvents(HalfLoadMaxRate);

    /// <summary>Skip the open-loop phase at half the measured maximum.</summary>
    public bool NoHalfLoad { get; private set; }

    /// <summary>Events sent one at a time, each after the previous one's webhook arrived: the latency of an idle service.</summary>
    public int IdleEvents { get; private set; } = 50;

    /// <summary>Events sent (and awaited) before measuring: JIT, connection pools, grain activations.</summary>
    public int Warmup { get; private set; } = 200;

    /// <summary>
    /// After <see cref="Warmup"/>, more warm-up rounds of <see cref="WarmupRound"/> events run while the JIT still spends more
    /// than <see cref="WarmupJitShare"/> of a round compiling (tiered compilation takes hot code through several tiers, which
    /// costs CPU for many seconds after start), up to this many events. 0 turns the extra rounds off.
    /// </summary>
    public int WarmupMaxEvents { get; private set; } = 100_000;

    public int WarmupRound { get; private set; } = 2_000;

    public double WarmupJitShare { get; private set; } = 0.02;

    /// <summary>How long to wait for the last delivery after the last event was sent.</summary>
    public TimeSpan DeliveryDeadline { get; private set; } = TimeSpan.FromMinutes(3);

    /// <summary>
    /// Connection string of a PostgreSQL user that may create databases; the benchmark creates a database of its own in that
    /// server. From <c>--postgres</c> or <see cref="PostgresEnvironmentVariable"/>.
    /// </summary>
    public string? Postgres { get; private set; } = Environment.GetEnvironmentVariable(PostgresEnvironmentVariable);

    /// <summary>Keep the benchmark's database afterwards (for looking at the rows).</summary>
    public bool KeepDatabase { get; private set; }

    /// <summary>Where the JSON results go; by default bench/results/latest.json of the repository.</summary>
    public string? Output { get; private set; }

    /// <summary>pgbench figures measured by scripts/bench.sh on the same server, printed beside ours (transactions per second).</summary>
    public double? PgbenchTps1 { get; private set; }

    public double? PgbenchTpsN { get; private set; }

    public int? PgbenchClients { get; private set; }

    public double? PgbenchSeconds { get; private set; }

    /// <summary>The PostgreSQL postmaster's process id, when the server runs on this machine (see <see cref="ServerCpu"/>).</summary>
    public int? ServerPid { get; private set; }

    /// <summary>Group the process's first-chance exceptions by where they were thrown, and print the top places.</summary>
    public bool ExceptionStacks { get; private set; }

    /// <summary>
    /// Record the closed-loop phase with dotnet-trace (CPU samples, allocation ticks, GC events) into this .nettrace file;
    /// bench/TaskService.TraceSummary summarizes it.
    /// </summary>
    public string? Profile { get; private set; }

    /// <summary>The dotnet-trace executable for <see cref="Profile"/>.</summary>
    public string DotnetTrace { get; private set; } = "dotnet-trace";
    /// <summary>Record the spans of the idle phase and print a typical idle event's timeline.</summary>
    public bool IdleTimeline { get; private set; }

    public bool Help { get; private set; }

    public static string Usage => """
        TaskService end-to-end benchmark (run it through scripts/bench.sh, which starts PostgreSQL and runs pgbench).

          --events N             events of the closed loop, the maximum (default 20000)
          --concurrency C        concurrent HTTP clients (default 64)
          --await-delivery       each client sends its next event only after the previous one's webhook arrived
                                 (with --concurrency 1: the latency of one event on an otherwise idle service)
          --warmup W             events sent before measuring, not counted (default 200)
          --warmup-max-events N  then rounds of 2000 more while the JIT spends over 2% of a round compiling, up to N
                                 events (default 100000; 0: no extra rounds): the run measures steady-state code
          --rate R --seconds S   open loop only: send R events per second for S seconds (default S 10); without --rate the
                                 run measures the maximum (closed loop) and then sends open-loop at half of it for S seconds
          --no-half-load         skip the open-loop phase at half the maximum
          --idle-events N        events sent one at a time on the otherwise idle service, for its latency (default 50; 0 skips)
          --deadline-seconds S   wait at most S seconds after the last send for the deliveries (default 180)
          --postgres CS          Npgsql connection string of a user that may create databases
                                 (default: environment variable TASKSERVICE_BENCH_POSTGRES)
          --keep-database        do not drop the benchmark's database at the end
          --exception-stacks     group the first-chance exceptions by where they were thrown and print the top places
          --idle-timeline        record every span during the idle phase and print where a typical idle event's time goes
          --output PATH          JSON results (default bench/results/latest.json)
          --profile PATH         record the closed-loop phase with dotnet-trace into PATH (.nettrace): CPU samples and
                                 allocation ticks; bench/TaskService.TraceSummary prints where CPU and allocations go
          --dotnet-trace PATH    the dotnet-trace executable (default: dotnet-trace on PATH)
          --pgbench-tps-1 X, --pgbench-tps-n X, --pgbench-clients N, --pgbench-seconds S
                                 pgbench figures of the same server, shown beside the results (scripts/bench.sh passes them)
          --server-pid PID       the PostgreSQL postmaster on this machine, whose CPU during the run is shown per event
                                 (scripts/bench.sh passes it)
        """;

    public static BenchmarkOptions Parse(string[] args)
    {
        var options = new BenchmarkOptions();
        for (var i = 0; i < args.Length; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            switch (name)
            {
                case "--events": options.Events = Positive(name, Value()); break;
                case "--concurrency": options.Concurrency = Positive(name, Value()); break;
                case "--await-delivery": options.AwaitDelivery = true; break;
                case "--warmup": options.Warmup = NonNegative(name, Value()); break;
                case "--warmup-max-events": options.WarmupMaxEvents = NonNegative(name, Value()); break;
                case "--rate": options.Rate = Number(name, Value()) is > 0 and var rate ? rate : throw new ArgumentException("--rate must be above 0."); break;
                case "--seconds": options.Seconds = Positive(name, Value()); break;
                case "--no-half-load": options.NoHalfLoad = true; break;
                case "--idle-events": options.IdleEvents = NonNegative(name, Value()); break;
                case "--deadline-seconds": options.DeliveryDeadline = TimeSpan.FromSeconds(Positive(name, Value())); break;
                case "--postgres": options.Postgres = Value(); break;
                case "--keep-database": options.KeepDatabase = true; break;
                case "--output": options.Output = Value(); break;
                case "--pgbench-tps-1": options.PgbenchTps1 = Number(name, Value()); break;
                case "--pgbench-tps-n": options.PgbenchTpsN = Number(name, Value()); break;
                case "--pgbench-clients": options.PgbenchClients = Positive(name, Value()); break;
                case "--pgbench-seconds": options.PgbenchSeconds = Number(name, Value()); break;
                case "--server-pid": options.ServerPid = Positive(name, Value()); break;
                case "--exception-stacks": options.ExceptionStacks = true; break;
                case "--profile": options.Profile = Value(); break;
                case "--dotnet-trace": options.DotnetTrace = Value(); break;
                case "--idle-timeline": options.IdleTimeline = true; break;
                case "--help" or "-h": options.Help = true; break;
                default: throw new ArgumentException($"Unknown option '{name}'.");
            }
        }

        return options;
    }

    private static int Positive(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0
            ? value
            : throw new ArgumentException($"{name} must be a positive whole number, not '{text}'.");

    private static int NonNegative(string name, string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{name} must be a whole number, not '{text}'.");

    private static double Number(string name, string text) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new ArgumentException($"{name} must be a number, not '{text}'.");
}
