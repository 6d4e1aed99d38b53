using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace TaskService.ConnectorBenchmarks;

/// <summary>librdkafka's built-in mock cluster (Kafka-protocol brokers on loopback TCP) in this process, through its C API.</summary>
internal sealed class MockKafkaCluster : IDisposable
{
    private const string Library = "librdkafka";
    private readonly IntPtr _handle;
    private readonly IntPtr _cluster;

    static MockKafkaCluster() => NativeLibrary.SetDllImportResolver(typeof(MockKafkaCluster).Assembly, Resolve);

    public MockKafkaCluster(int brokers)
    {
        var errstr = new byte[512];
        var conf = rd_kafka_conf_new();
        rd_kafka_conf_set(conf, Encoding.UTF8.GetBytes("log_level\0"), Encoding.UTF8.GetBytes("3\0"), errstr, (UIntPtr)errstr.Length);
        _handle = rd_kafka_new(0, conf, errstr, (UIntPtr)errstr.Length);
        if (_handle == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_new failed: " + Encoding.UTF8.GetString(errstr).TrimEnd('\0'));
        }

        _cluster = rd_kafka_mock_cluster_new(_handle, brokers);
        if (_cluster == IntPtr.Zero)
        {
            throw new InvalidOperationException("rd_kafka_mock_cluster_new failed.");
        }

        BootstrapServers = Marshal.PtrToStringUTF8(rd_kafka_mock_cluster_bootstraps(_cluster))!;
    }

    public string BootstrapServers { get; }

    public void CreateTopic(string topic, int partitions)
    {
        var error = rd_kafka_mock_topic_create(_cluster, Encoding.UTF8.GetBytes(topic + '\0'), partitions, 1);
        if (error != 0)
        {
            throw new InvalidOperationException($"Creating topic {topic} failed with error {error}.");
        }
    }

    public void Dispose()
    {
        rd_kafka_mock_cluster_destroy(_cluster);
        rd_kafka_destroy(_handle);
    }

    // The package's default build needs libsasl2.so.3; where that is missing (Debian 12) its centos8 build loads.
    private static IntPtr Resolve(string name, Assembly assembly, DllImportSearchPath? path)
    {
        if (name != Library)
        {
            return IntPtr.Zero;
        }

        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", "linux-x64", "native");
        foreach (var file in new[] { "librdkafka.so", "centos8-librdkafka.so" })
        {
            if (NativeLibrary.TryLoad(Path.Combine(native, file), out var handle))
            {
                return handle;
            }
        }

        return NativeLibrary.TryLoad(Library, assembly, path, out var fallback) ? fallback : IntPtr.Zero;
    }

    [DllImport(Library)]
    private static extern IntPtr rd_kafka_conf_new();

    [DllImport(Library)]
    private static extern int rd_kafka_conf_set(IntPtr conf, byte[] name, byte[] value, byte[] errstr, UIntPtr errstrSize);

    [DllImport(Library)]
    private static extern IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);

    [DllImport(Library)]
    private static extern void rd_kafka_destroy(IntPtr rk);

    [DllImport(Library)]
    private static extern IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [DllImport(Library)]
    private static extern void rd_kafka_mock_cluster_destroy(IntPtr mcluster);

    [DllImport(Library)]
    private static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

    [DllImport(Library)]
    private static extern int rd_kafka_mock_topic_create(IntPtr mcluster, byte[] topic, int partitionCount, int replicationFactor);
}
