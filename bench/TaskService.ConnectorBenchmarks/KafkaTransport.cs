using System.Globalization;
using Confluent.Kafka;
using TaskService.Testing;

namespace TaskService.ConnectorBenchmarks;

/// <summary>Events in through a Kafka topic, task-created out through another; librdkafka's mock cluster unless brokers are given.</summary>
internal sealed class KafkaTransport : IBenchTransport
{
    private readonly KafkaMockCluster? _mock;
    private readonly string _bootstrap;
    private readonly int _partitions;
    private readonly int _keys;
    private readonly string _input;
    private readonly string _output;
    private readonly string _group;
    private readonly OutputTally _tally = new();
    private KafkaOutputReader? _reader;
    private IProducer<string, string>? _producer;

    public KafkaTransport(string? bootstrap, int partitions, int keys, TimeSpan commitInterval)
    {
        _mock = bootstrap is null ? new KafkaMockCluster() : null;
        _bootstrap = bootstrap ?? _mock!.BootstrapServers;
        _partitions = partitions;
        _keys = keys;
        var run = Guid.NewGuid().ToString("N")[..8];
        _input = $"bench-in-{run}";
        _output = $"bench-out-{run}";
        _group = $"bench-{run}";
        var arguments = new List<string>
        {
            $"--TaskService:Kafka:BootstrapServers={_bootstrap}",
            "--TaskService:Kafka:Incoming:Enabled=true",
            $"--TaskService:Kafka:Incoming:Topics:0={_input}",
            $"--TaskService:Kafka:Incoming:GroupId={_group}",
            string.Create(CultureInfo.InvariantCulture, $"--TaskService:Kafka:Incoming:CommitInterval={commitInterval}"),
            "--TaskService:Kafka:Outgoing:Enabled=true",
            $"--TaskService:Kafka:Outgoing:Topic={_output}",
        };
        if (_mock is not null)
        {
            // The mock cluster answers a fetch that finds no data only once the fetch's whole wait has passed, even when messages
            // arrive meanwhile (a broker answers as soon as they do). With librdkafka's default wait of 500 ms the burst would
            // wait for that, not for the service; a short wait makes the mock answer about as soon as a broker would.
            arguments.Add($"--TaskService:Kafka:Consumer:fetch.wait.max.ms={MockFetchWaitMs}");
        }

        if (keys > 1)
        {
            arguments.Add("--TaskService:Kafka:Incoming:KeySource=Field");
            arguments.Add("--TaskService:Kafka:Incoming:Key=type");
        }

        SiloArguments = arguments;
        EventKeys = keys > 1 ? BenchmarkEvents.Keys(keys) : [_input];
        Description = $"Kafka, {partitions} partitions, brokers {(_mock is null ? _bootstrap : "librdkafka mock cluster (in-process)")}, commit interval {commitInterval}";
    }

    /// <summary>The longest a fetch waits for data on the mock cluster, for the service's consumers and the output reader.</summary>
    internal const int MockFetchWaitMs = 10;

    public string Description { get; }

    public IReadOnlyList<string> SiloArguments { get; }

    public IReadOnlyList<string> EventKeys { get; }

    public int Published => _tally.Count;

    public long LastPublishedAt => _tally.LastReceivedAt;

    public IReadOnlyCollection<double> PublishLatencies => _tally.Latencies;

    public IReadOnlyCollection<long> PublishedAt => _tally.MeasuredArrivals;

    public Task PrepareAsync()
    {
        if (_mock is not null)
        {
            _mock.CreateTopic(_input, _partitions);
            _mock.CreateTopic(_output, _partitions);
        }

        // One producer for every round: a new one first connects and gets its producer id, which took up to half a second of
        // the burst's time before a message went out.
        _producer = new ProducerBuilder<string, string>(new ProducerConfig { BootstrapServers = _bootstrap, LingerMs = 5, EnableIdempotence = true, Acks = Acks.All })
            .SetLogHandler((_, _) => { })
            .Build();
        _reader = new KafkaOutputReader(_bootstrap, _output, _partitions, _tally, _mock is null ? null : MockFetchWaitMs);
        return Task.CompletedTask;
    }

    public Task ProduceAsync(int from, int to)
    {
        var producer = _producer ?? throw new InvalidOperationException("PrepareAsync first.");
        for (var n = from; n < to; n++)
        {
            while (true)
            {
                try
                {
                    _tally.Sent(n);
                    producer.Produce(_input, new Message<string, string> { Key = n.ToString(CultureInfo.InvariantCulture), Value = BenchmarkEvents.Body(n, _keys) });
                    break;
                }
                catch (ProduceException<string, string> exception) when (exception.Error.Code == Confluent.Kafka.ErrorCode.Local_QueueFull)
                {
                    producer.Poll(TimeSpan.FromMilliseconds(10));
                }
            }
        }

        producer.Flush(TimeSpan.FromMinutes(2));
        return Task.CompletedTask;
    }

    /// <summary>High watermarks minus the group's committed offsets, summed over the partitions.</summary>
    public Task<long> BacklogAsync()
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = _bootstrap, GroupId = _group, EnableAutoCommit = false })
            .SetLogHandler((_, _) => { })
            .Build();
        var topicPartitions = Enumerable.Range(0, _partitions).Select(p => new TopicPartition(_input, p)).ToArray();
        var committed = consumer.Committed(topicPartitions, TimeSpan.FromSeconds(10)).ToDictionary(c => c.Partition.Value, c => Math.Max(0, c.Offset.Value));
        return Task.FromResult(topicPartitions.Sum(tp => consumer.QueryWatermarkOffsets(tp, TimeSpan.FromSeconds(10)).High.Value - committed[tp.Partition.Value]));
    }

    public ValueTask DisposeAsync()
    {
        _producer?.Dispose();
        _reader?.Dispose();
        _mock?.Dispose();
        return ValueTask.CompletedTask;
    }
}
