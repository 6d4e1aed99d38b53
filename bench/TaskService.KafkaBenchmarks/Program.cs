using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using Confluent.Kafka;
using Microsoft.Extensions.DependencyInjection;
using TaskService.Mappings;
using TaskService.Serialization;
using TaskService.Workflows;

namespace TaskService.KafkaBenchmarks;

/// <summary>
/// Kafka topic -> kafka stream provider -> event router -> workflow (create-tasks) -> outbox -> Kafka output topic, in one process.
/// Arguments (key=value): events=20000 partitions=4 keys=1 bootstrap=(mock) commit-interval=00:00:01 postgres=(none: embedded store).
/// keys=1 keys every event by its topic (the default, one event router for the topic); keys=K takes the key from the value's
/// <c>type</c> field, spread over K keys mapped to the same workflow (K event routers working in parallel).
/// </summary>
public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var settings = args.Select(a => a.Split('=', 2)).ToDictionary(a => a[0].TrimStart('-'), a => a.Length > 1 ? a[1] : "true", StringComparer.OrdinalIgnoreCase);
        var events = int.Parse(settings.GetValueOrDefault("events", "20000"), CultureInfo.InvariantCulture);
        var partitions = int.Parse(settings.GetValueOrDefault("partitions", "4"), CultureInfo.InvariantCulture);
        var commitInterval = settings.GetValueOrDefault("commit-interval", "00:00:01");
        var keys = int.Parse(settings.GetValueOrDefault("keys", "1"), CultureInfo.InvariantCulture);

        using var mock = settings.ContainsKey("bootstrap") ? null : new MockKafkaCluster(1);
        var bootstrap = settings.GetValueOrDefault("bootstrap") ?? mock!.BootstrapServers;
        var run = Guid.NewGuid().ToString("N")[..8];
        var input = $"bench-in-{run}";
        var output = $"bench-out-{run}";
        var group = $"bench-{run}";
        if (mock is not null)
        {
            mock.CreateTopic(input, partitions);
            mock.CreateTopic(output, partitions);
        }

        var ports = FreePorts(3);
        var siloArgs = new List<string>
        {
            $"--Urls=http://127.0.0.1:{ports[0]}",
            $"--Orleans:Endpoints:SiloPort={ports[1]}",
            $"--Orleans:Endpoints:GatewayPort={ports[2]}",
            $"--Auth:JwtSecret={Convert.ToBase64String(RandomNumberGenerator.GetBytes(48))}",
            $"--Logging:LogLevel:Default={settings.GetValueOrDefault("log", "Warning")}",
            $"--Logging:LogLevel:Orleans={settings.GetValueOrDefault("log", "Warning")}",
            "--Logging:LogLevel:Polly=Warning",
            $"--TaskService:Kafka:BootstrapServers={bootstrap}",
            "--TaskService:Kafka:Incoming:Enabled=true",
            $"--TaskService:Kafka:Incoming:Topics:0={input}",
            $"--TaskService:Kafka:Incoming:GroupId={group}",
            $"--TaskService:Kafka:Incoming:CommitInterval={commitInterval}",
            "--TaskService:Kafka:Outgoing:Enabled=true",
            $"--TaskService:Kafka:Outgoing:Topic={output}",
        };
        if (keys > 1)
        {
            siloArgs.Add("--TaskService:Kafka:Incoming:KeySource=Field");
            siloArgs.Add("--TaskService:Kafka:Incoming:Key=type");
        }

        if (settings.TryGetValue("postgres", out var connectionString))
        {
            siloArgs.Add($"--ConnectionStrings:TaskService={connectionString}");
            siloArgs.Add("--TaskService:Database:MigrateOnStart=true");
            siloArgs.Add($"--TaskService:Secrets:Key={Convert.ToBase64String(RandomNumberGenerator.GetBytes(32))}");
            siloArgs.Add("--Orleans:AdvertisedIPAddress=127.0.0.1");
        }

        var app = Silo.Program.Build([.. siloArgs]);
        await app.StartAsync();
        try
        {
            var grains = app.Services.GetRequiredService<IGrainFactory>();
            await DeployAsync(grains, keys > 1 ? Enumerable.Range(0, keys).Select(k => $"bench-{k}").ToArray() : [input]);
            Console.WriteLine($"Kafka benchmark: {events} events, {partitions} partitions, {keys} event key(s), brokers {(mock is null ? bootstrap : "librdkafka mock cluster (in-process)")}, commit interval {commitInterval}, store {(connectionString is null ? "embedded" : "PostgreSQL")}");

            await WarmUpAsync(bootstrap, input, output, group, partitions, keys);
            var result = await MeasureAsync(bootstrap, input, output, group, partitions, events, keys);
            result.Print();
            return 0;
        }
        finally
        {
            await app.StopAsync();
            await app.DisposeAsync();
        }
    }

    private static async Task WarmUpAsync(string bootstrap, string input, string output, string group, int partitions, int keys)
    {
        const int warmUp = 500;
        using var reader = new OutputReader(bootstrap, output, partitions);
        Produce(bootstrap, input, 0, warmUp, keys, out _);
        await reader.WaitForAsync(warmUp, TimeSpan.FromMinutes(2));
        await WaitForLagAsync(bootstrap, input, group, partitions, lag => lag == 0, TimeSpan.FromMinutes(1));
    }

    private static async Task<BenchmarkResult> MeasureAsync(string bootstrap, string input, string output, string group, int partitions, int events, int keys)
    {
        using var reader = new OutputReader(bootstrap, output, partitions);
        var baseline = reader.Count;
        var clock = Stopwatch.StartNew();
        Produce(bootstrap, input, 1_000_000, 1_000_000 + events, keys, out var produced);
        var lagAfterBurst = Lag(bootstrap, input, group, partitions);
        var burstEnd = clock.Elapsed;
        var drained = await WaitForLagAsync(bootstrap, input, group, partitions, lag => lag == 0, TimeSpan.FromMinutes(3));
        var drainTime = clock.Elapsed - burstEnd;
        await reader.WaitForAsync(baseline + events, TimeSpan.FromMinutes(10));
        var endToEnd = clock.Elapsed;
        return new BenchmarkResult(events, produced, lagAfterBurst, drainTime, drained.Samples, endToEnd, reader.PublishLatencies);
    }

    private static void Produce(string bootstrap, string topic, int from, int to, int keys, out TimeSpan elapsed)
    {
        var clock = Stopwatch.StartNew();
        using var producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = bootstrap, LingerMs = 5, EnableIdempotence = true, Acks = Acks.All })
            .SetLogHandler((_, _) => { })
            .Build();
        for (var n = from; n < to; n++)
        {
            while (true)
            {
                try
                {
                    producer.Produce(topic, new Message<string, string>
                    {
                        Key = n.ToString(CultureInfo.InvariantCulture),
                        Value = $$$"""{"n":{{{n}}},"type":"bench-{{{n % keys}}}","tasks":{"values":[{"key":"bench-task","name":"Task {{{n}}}"}]}}""",
                    });
                    break;
                }
                catch (ProduceException<string, string> exception) when (exception.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        elapsed = clock.Elapsed;
    }

    /// <summary>High watermarks minus the group's committed offsets, summed over the partitions.</summary>
    private static long Lag(string bootstrap, string topic, string group, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = bootstrap, GroupId = group, EnableAutoCommit = false })
            .SetLogHandler((_, _) => { })
            .Build();
        var topicPartitions = Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)).ToArray();
        var committed = consumer.Committed(topicPartitions, TimeSpan.FromSeconds(10)).ToDictionary(c => c.Partition.Value, c => Math.Max(0, c.Offset.Value));
        return topicPartitions.Sum(tp => consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value - committed[tp.Partition.Value]);
    }

    private static async Task<(long Lag, List<(TimeSpan At, long Lag)> Samples)> WaitForLagAsync(string bootstrap, string topic, string group, int partitions, Func<long, bool> condition, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        var samples = new List<(TimeSpan, long)>();
        while (true)
        {
            var lag = Lag(bootstrap, topic, group, partitions);
            samples.Add((clock.Elapsed, lag));
            if (condition(lag))
            {
                return (lag, samples);
            }

            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"The consumer lag was still {lag} after {timeout}.");
            }

            await Task.Delay(250);
        }
    }

    private static async Task DeployAsync(IGrainFactory grains, IReadOnlyList<string> eventKeys)
    {
        var processId = $"bench_{Guid.NewGuid():N}";
        var bpmn = $"""
            <?xml version="1.0" encoding="UTF-8"?>
            <bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL" xmlns:camunda="http://camunda.org/schema/1.0/bpmn" id="Definitions_{processId}" targetNamespace="http://bpmn.io/schema/bpmn">
              <bpmn:process id="{processId}" isExecutable="true">
                <bpmn:startEvent id="start" />
                <bpmn:sequenceFlow id="f1" sourceRef="start" targetRef="create" />
                <bpmn:serviceTask id="create" name="Create tasks" camunda:type="external" camunda:topic="create-tasks" />
                <bpmn:sequenceFlow id="f2" sourceRef="create" targetRef="end" />
                <bpmn:endEvent id="end" />
              </bpmn:process>
            </bpmn:definitions>
            """;
        await grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString()).CreateAsync(new NewWorkflow { Name = "kafka-bench", BpmnFile = bpmn, InputSchema = JsonElementFactory.Parse("{}") });
        foreach (var eventKey in eventKeys)
        {
            await grains.GetGrain<IMappingsGrain>(0).AddEventMappingAsync(eventKey, processId);
        }
    }

    private static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }
}
