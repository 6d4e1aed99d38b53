using System.Globalization;
using Confluent.Kafka;

namespace TaskService.Connectors.Kafka;

/// <summary>Builds librdkafka configurations from <see cref="KafkaOptions"/>: our settings first, then the pass-through ones, which win.</summary>
internal static class KafkaClientConfig
{
    /// <summary>
    /// A consumer that reads one assigned partition: offsets are stored by the receiver only once the event router has the message
    /// (<c>enable.auto.offset.store=false</c>) and committed by librdkafka in the background.
    /// </summary>
    public static ConsumerConfig ForReceiver(KafkaOptions options, string clientId)
    {
        var incoming = options.Incoming;
        var config = new ConsumerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = clientId,
            GroupId = incoming.GroupId,
            EnableAutoCommit = true,
            EnableAutoOffsetStore = false,
            AutoCommitIntervalMs = Milliseconds(incoming.CommitInterval),
            AutoOffsetReset = incoming.StartFrom == KafkaStartPosition.Latest ? AutoOffsetReset.Latest : AutoOffsetReset.Earliest,
            EnablePartitionEof = false,
        };
        Apply(config, options.Client);
        Apply(config, options.Consumer);
        return config;
    }

    /// <summary>An idempotent producer that waits for every in-sync replica (acks=all).</summary>
    public static ProducerConfig ForProducer(KafkaOptions options, string clientId, TimeSpan deliveryTimeout)
    {
        var config = new ProducerConfig
        {
            BootstrapServers = options.BootstrapServers,
            ClientId = clientId,
            EnableIdempotence = true,
            Acks = Acks.All,
            MessageTimeoutMs = Milliseconds(deliveryTimeout),
            // The outbox dispatcher hands a whole batch over before it waits (see KafkaOutgoingConnector.PublishManyAsync); what
            // arrives while a request is in flight goes in the next one, so waiting to fill a batch would only add latency. A
            // pass-through linger.ms still wins.
            LingerMs = 0,
        };
        Apply(config, options.Client);
        Apply(config, options.Producer);
        return config;
    }

    /// <summary>A client for metadata look-ups.</summary>
    public static AdminClientConfig ForAdmin(KafkaOptions options, string clientId)
    {
        var config = new AdminClientConfig { BootstrapServers = options.BootstrapServers, ClientId = clientId };
        Apply(config, options.Client);
        return config;
    }

    private static void Apply(ClientConfig config, IReadOnlyDictionary<string, string> settings)
    {
        foreach (var (key, value) in settings)
        {
            config.Set(key, value);
        }
    }

    private static int Milliseconds(TimeSpan value) =>
        (int)Math.Clamp(Math.Ceiling(value.TotalMilliseconds), 1, int.MaxValue);

    public static string Format(long value) => value.ToString(CultureInfo.InvariantCulture);
}
