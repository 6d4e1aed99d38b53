using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace TaskService.Testing;

/// <summary>
/// The parts of librdkafka's C API the tests and benchmarks need to run its built-in mock cluster (<c>rdkafka_mock.h</c>). The library is the
/// one Confluent.Kafka loads, shipped by the librdkafka.redist package (runtimes/linux-x64/native/librdkafka.so, or its
/// centos8 build where the default one's libsasl2.so.3 is missing, as on Debian 12).
/// </summary>
internal static class LibRdKafka
{
    private const string Library = "librdkafka";

    /// <summary>Points this assembly's imports of librdkafka at the package's build; once, before the first call.</summary>
    internal static void RegisterResolver() =>
        NativeLibrary.SetDllImportResolver(typeof(LibRdKafka).Assembly, (name, assembly, path) =>
            name == Library ? Load(assembly) : IntPtr.Zero);

    private static IntPtr Load(Assembly assembly)
    {
        var native = Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier.StartsWith("linux-arm64", StringComparison.Ordinal) ? "linux-arm64" : "linux-x64", "native");
        foreach (var file in new[] { "librdkafka.so", "centos8-librdkafka.so" })
        {
            if (NativeLibrary.TryLoad(Path.Combine(native, file), out var handle))
            {
                return handle;
            }
        }

        return NativeLibrary.TryLoad(Library, assembly, null, out var fallback) ? fallback : IntPtr.Zero;
    }

    /// <summary>rd_kafka_type_t RD_KAFKA_PRODUCER.</summary>
    public const int ProducerType = 0;

    /// <summary>rd_kafka_conf_res_t RD_KAFKA_CONF_OK.</summary>
    public const int ConfOk = 0;

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_conf_new();

    [DllImport(Library)]
    public static extern void rd_kafka_conf_destroy(IntPtr conf);

    [DllImport(Library)]
    public static extern int rd_kafka_conf_set(IntPtr conf, byte[] name, byte[] value, byte[] errstr, UIntPtr errstrSize);

    /// <summary>Takes ownership of <paramref name="conf"/> on success.</summary>
    [DllImport(Library)]
    public static extern IntPtr rd_kafka_new(int type, IntPtr conf, byte[] errstr, UIntPtr errstrSize);

    [DllImport(Library)]
    public static extern void rd_kafka_destroy(IntPtr rk);

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_mock_cluster_new(IntPtr rk, int brokerCount);

    [DllImport(Library)]
    public static extern void rd_kafka_mock_cluster_destroy(IntPtr mcluster);

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_mock_cluster_bootstraps(IntPtr mcluster);

    [DllImport(Library)]
    public static extern int rd_kafka_mock_topic_create(IntPtr mcluster, byte[] topic, int partitionCount, int replicationFactor);

    /// <summary>Disconnects the broker and refuses new connections (no leader change). -1 for every broker.</summary>
    [DllImport(Library)]
    public static extern int rd_kafka_mock_broker_set_down(IntPtr mcluster, int brokerId);

    [DllImport(Library)]
    public static extern int rd_kafka_mock_broker_set_up(IntPtr mcluster, int brokerId);

    [DllImport(Library)]
    public static extern IntPtr rd_kafka_err2str(int err);

    /// <summary>A NUL-terminated UTF-8 string for a <c>const char*</c> parameter.</summary>
    public static byte[] Utf8(string value) => Encoding.UTF8.GetBytes(value + '\0');

    public static string ErrorText(byte[] errstr) => Encoding.UTF8.GetString(errstr, 0, Math.Max(0, Array.IndexOf(errstr, (byte)0)));

    public static string ErrorName(int err) => Marshal.PtrToStringUTF8(rd_kafka_err2str(err)) ?? err.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
