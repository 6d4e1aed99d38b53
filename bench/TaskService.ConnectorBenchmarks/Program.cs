using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using TaskService.Testing;

namespace TaskService.ConnectorBenchmarks;

/// <summary>
/// A connector's whole path in one process: messages in (a Kafka topic or an SQS queue) -> event router -> workflow
/// (create-tasks) -> outbox -> task-created out (a Kafka topic or an SQS queue).
/// Arguments (key=value): connector=kafka|sqs events=20000 keys=1 postgres=(none: embedded store) output=(none: a JSON file
/// for the results) log=Warning; Kafka: partitions=4 bootstrap=(mock) commit-interval=00:00:01; SQS: sqs=(TASKSERVICE_BENCH_SQS)
/// receivers=4. Warm-up: warmup=500 events, then rounds of warmup-round=5000 while the JIT spends over 2% of a round compiling,
/// up to warmup-max-events=60000 (0: no rounds).
/// keys=1 keys every event by its topic or queue (one event router); keys=K takes the key from the body's <c>type</c> field,
/// spread over K keys mapped to the same workflow (K event routers working in parallel).
/// </summary>
public static class Program
{
    private const double WarmUpJitShare = 0.02;

    public static async Task<int> Main(string[] args)
    {
        var settings = args.Select(a => a.Split('=', 2)).ToDictionary(a => a[0].TrimStart('-'), a => a.Length > 1 ? a[1] : "true", StringComparer.OrdinalIgnoreCase);
        int Number(string name, int value) => int.Parse(settings.GetValueOrDefault(name, value.ToString(CultureInfo.InvariantCulture)), CultureInfo.InvariantCulture);
        var events = Number("events", 20_000);
        var warmUp = Number("warmup", 500);
        var warmUpRound = Number("warmup-round", 5_000);
        var warmUpMax = Number("warmup-max-events", 60_000);
        var keys = Number("keys", 1);
        var connector = settings.GetValueOrDefault("connector", "kafka");
        await using IBenchTransport transport = connector switch
        {
            "kafka" => new KafkaTransport(settings.GetValueOrDefault("bootstrap"), Number("partitions", 4), keys,
                TimeSpan.Parse(settings.GetValueOrDefault("commit-interval", "00:00:01"), CultureInfo.InvariantCulture)),
            "sqs" => new SqsTransport(
                new Uri(settings.GetValueOrDefault("sqs") ?? Environment.GetEnvironmentVariable("TASKSERVICE_BENCH_SQS")
                    ?? throw new ArgumentException("connector=sqs needs sqs=<service URL> or TASKSERVICE_BENCH_SQS: scripts/bench.sh --sqs starts a local SQS server and passes it.")),
                Number("receivers", 4), keys),
            _ => throw new ArgumentException($"connector={connector}: expected kafka or sqs."),
        };
        await transport.PrepareAsync();

        settings.TryGetValue("postgres", out var connectionString);
        var app = Silo.Program.Build([.. SiloArguments(settings.GetValueOrDefault("log", "Warning"), connectionString), .. transport.SiloArguments]);
        await app.StartAsync();
        try
        {
            await CreateTasksWorkflow.DeployAsync(app.Services.GetRequiredService<IGrainFactory>(), "connector-bench", transport.EventKeys);
            var store = connectionString is null ? "embedded" : "PostgreSQL";
            Console.WriteLine($"Connector benchmark: {events} events, {keys} event key(s), {transport.Description}, store {store}");

            await WarmUpRoundAsync(transport, 0, warmUp);
            var (warmedUp, _) = await JitWarmUp.RunAsync(
                async (first, count) => (await WarmUpRoundAsync(transport, first, count), null),
                warmUp, warmUpRound, warmUpMax, WarmUpJitShare, "published", Console.Out, CancellationToken.None);
            Console.WriteLine($"[warm-up] {warmUp + warmedUp} events in all, not measured");

            var result = await MeasureAsync(transport, events, connector, store);
            result.Print();
            if (settings.GetValueOrDefault("output") is { } output)
            {
                await result.WriteAsync(output);
            }

            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static List<string> SiloArguments(string logLevel, string? connectionString)
    {
        var ports = FreePorts.Take(3);
        var arguments = new List<string>
        {
            $"--Urls=http://127.0.0.1:{ports[0]}",
            $"--Orleans:Endpoints:SiloPort={ports[1]}",
            $"--Orleans:Endpoints:GatewayPort={ports[2]}",
            $"--Auth:JwtSecret={Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))}",
            $"--Logging:LogLevel:Default={logLevel}",
            $"--Logging:LogLevel:Orleans={logLevel}",
            "--Logging:LogLevel:Polly=Warning",
        };
        if (connectionString is not null)
        {
            arguments.Add($"--ConnectionStrings:TaskService={connectionString}");
            arguments.Add("--TaskService:Database:MigrateOnStart=true");
            arguments.Add($"--TaskService:Secrets:Key={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}");
            arguments.Add("--Orleans:AdvertisedIPAddress=127.0.0.1");
        }

        return arguments;
    }

    /// <summary>Sends <paramref name="count"/> events and waits until each one's task-created came out and the backlog drained.</summary>
    private static async Task<int> WarmUpRoundAsync(IBenchTransport transport, int first, int count)
    {
        var target = (long)transport.Published + count;
        await transport.ProduceAsync(first, first + count);
        await WaitAsync(() => Task.FromResult((long)transport.Published), n => n >= target, TimeSpan.FromMinutes(5), "warm-up events published");
        await WaitAsync(transport.BacklogAsync, backlog => backlog == 0, TimeSpan.FromMinutes(1), "warm-up backlog drained");
        return count;
    }

    /// <summary>
    /// Sends the burst and takes the time from its first message to the last task-created out. The wait for that polls only a
    /// counter of this process; the consumer group's backlog is read once right after the burst and then only once every
    /// task-created is out (each read is a client of its own, whose CPU would otherwise count against the service), so the
    /// drain time is an upper bound, to the 250 ms between reads.
    /// </summary>
    private static async Task<BenchmarkResult> MeasureAsync(IBenchTransport transport, int events, string connector, string store)
    {
        var baseline = transport.Published;
        var before = ProcessCost.Take();
        var started = Stopwatch.GetTimestamp();
        await transport.ProduceAsync(OutputTally.MeasuredFrom, OutputTally.MeasuredFrom + events);
        var produced = Stopwatch.GetElapsedTime(started);
        var backlogAfterBurst = await transport.BacklogAsync();
        await WaitAsync(() => Task.FromResult((long)transport.Published), n => n >= baseline + events, TimeSpan.FromMinutes(10),
            "every event's task-created published", TimeSpan.FromMilliseconds(5));
        var endToEnd = Stopwatch.GetElapsedTime(started, transport.LastPublishedAt);
        var cost = ProcessCost.Take() - before;
        var drained = await WaitAsync(transport.BacklogAsync, backlog => backlog == 0, TimeSpan.FromMinutes(10), "backlog drained");
        var drainTime = Stopwatch.GetElapsedTime(started) - produced;
        var interval = TimeSpan.FromSeconds(Math.Max(0.1, Math.Ceiling(endToEnd.TotalSeconds / MaxIntervals * 10) / 10));
        var published = PerInterval(started, interval, transport.PublishedAt);
        return new BenchmarkResult(connector, store, events, produced, backlogAfterBurst, drainTime, drained, endToEnd, transport.PublishLatencies, interval, published, cost);
    }

    /// <summary>The most intervals the count of task-created per interval is shown for: 0.1 s each, or longer for a long burst.</summary>
    private const int MaxIntervals = 60;

    /// <summary>How many of <paramref name="timestamps"/> fall in each <paramref name="interval"/> from <paramref name="start"/> on.</summary>
    private static int[] PerInterval(long start, TimeSpan interval, IReadOnlyCollection<long> timestamps)
    {
        var indexes = timestamps.Select(t => (int)(Stopwatch.GetElapsedTime(start, t) / interval)).Where(index => index >= 0).ToArray();
        var counts = new int[indexes.Length == 0 ? 0 : indexes.Max() + 1];
        foreach (var index in indexes)
        {
            counts[index]++;
        }

        return counts;
    }

    /// <summary>Samples a figure every 250 ms (or <paramref name="every"/>) until it meets the condition; the samples show how it went.</summary>
    private static async Task<List<(TimeSpan At, long Value)>> WaitAsync(
        Func<Task<long>> sample, Func<long, bool> condition, TimeSpan timeout, string what, TimeSpan? every = null)
    {
        var clock = Stopwatch.StartNew();
        var samples = new List<(TimeSpan, long)>();
        while (true)
        {
            var value = await sample();
            samples.Add((clock.Elapsed, value));
            if (condition(value))
            {
                return samples;
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"Not reached within {timeout}: {what} (last value {value}).");
            }

            await Task.Delay(every ?? TimeSpan.FromMilliseconds(250));
        }
    }

}
