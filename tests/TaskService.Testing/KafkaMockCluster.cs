namespace TaskService.Testing;

/// <summary>
/// librdkafka's built-in mock cluster: real Kafka-protocol brokers on localhost TCP sockets, inside this process. It has no
/// CreateTopics handler, so topics are created through the mock API. One cluster serves a test collection (or a benchmark run);
/// tests use fresh topics.
/// </summary>
public sealed class KafkaMockCluster : IDisposable
{
    public const int BrokerCount = 1;

    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;
    private readonly Lock _lock = new();
    private bool _disposed;

    static KafkaMockCluster() => LibRdKafka.RegisterResolver();

    /// <summary>A cluster of <see cref="BrokerCount"/> broker (xunit wants a collection fixture's only constructor parameterless).</summary>
    public KafkaMockCluster()
    {
        var errstr = new byte[512];
        var conf = LibRdKafka.rd_kafka_conf_new();
        Set(conf, "client.id", "task-service-mock-cluster");
        Set(conf, "log_level", "3");
        _handle = LibRdKafka.rd_kafka_new(LibRdKafka.ProducerType, conf, errstr, (UIntPtr)errstr.Length);
        if (_handle == IntPtr.Zero)
        {
            LibRdKafka.rd_kafka_conf_destroy(conf);
            throw new InvalidOperationException($"rd_kafka_new failed: {LibRdKafka.ErrorText(errstr)}");
        }

        _cluster = LibRdKafka.rd_kafka_mock_cluster_new(_handle, BrokerCount);
        if (_cluster == IntPtr.Zero)
        {
            LibRdKafka.rd_kafka_destroy(_handle);
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        BootstrapServers = System.Runtime.InteropServices.Marshal.PtrToStringUTF8(LibRdKafka.rd_kafka_mock_cluster_bootstraps(_cluster))
            ?? throw new InvalidOperationException("The mock cluster has no bootstrap servers.");
    }

    /// <summary>The brokers' <c>host:port</c> list.</summary>
    public string BootstrapServers { get; }

    /// <summary>Creates a topic (a fresh name per test: <see cref="NewTopicName"/>).</summary>
    public void CreateTopic(string topic, int partitions)
    {
        lock (_lock)
        {
            var error = LibRdKafka.rd_kafka_mock_topic_create(_cluster, LibRdKafka.Utf8(topic), partitions, 1);
            if (error != 0)
            {
                throw new InvalidOperationException($"Creating topic {topic} failed: {LibRdKafka.ErrorName(error)}");
            }
        }
    }

    public static string NewTopicName(string purpose) => $"{purpose}-{Guid.NewGuid():N}"[..Math.Min(purpose.Length + 13, 60)];

    /// <summary>Disconnects every broker and refuses connections until <see cref="BringBrokersUp"/>.</summary>
    public void TakeBrokersDown()
    {
        lock (_lock)
        {
            for (var broker = 1; broker <= BrokerCount; broker++)
            {
                Check(LibRdKafka.rd_kafka_mock_broker_set_down(_cluster, broker), "rd_kafka_mock_broker_set_down");
            }
        }
    }

    public void BringBrokersUp()
    {
        lock (_lock)
        {
            for (var broker = 1; broker <= BrokerCount; broker++)
            {
                Check(LibRdKafka.rd_kafka_mock_broker_set_up(_cluster, broker), "rd_kafka_mock_broker_set_up");
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            LibRdKafka.rd_kafka_mock_cluster_destroy(_cluster);
            LibRdKafka.rd_kafka_destroy(_handle);
        }
    }

    private static void Set(IntPtr conf, string name, string value)
    {
        var errstr = new byte[512];
        if (LibRdKafka.rd_kafka_conf_set(conf, LibRdKafka.Utf8(name), LibRdKafka.Utf8(value), errstr, (UIntPtr)errstr.Length) != LibRdKafka.ConfOk)
        {
            throw new InvalidOperationException($"rd_kafka_conf_set({name}) failed: {LibRdKafka.ErrorText(errstr)}");
        }
    }

    private static void Check(int error, string call)
    {
        if (error != 0)
        {
            throw new InvalidOperationException($"{call} failed: {LibRdKafka.ErrorName(error)}");
        }
    }
}
