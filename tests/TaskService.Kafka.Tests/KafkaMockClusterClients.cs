using Confluent.Kafka;

namespace TaskService.Kafka.Tests;

/// <summary>Confluent.Kafka clients of the shared mock cluster, for test input and for reading what the service produced.</summary>
public static class KafkaMockClusterClients
{
    /// <summary>A producer for test input (not idempotent, so it also works across a broker outage with retries).</summary>
    public static IProducer<string?, string> CreateProducer(this KafkaMockCluster kafka) =>
        new ProducerBuilder<string?, string>(new ProducerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            LingerMs = 5,
            EnableIdempotence = true,
            Acks = Acks.All,
        }).SetLogHandler((_, _) => { }).Build();

    /// <summary>A consumer of whole topics from the beginning, without a group (for reading output and dead-letter topics).</summary>
    public static IConsumer<string?, string?> CreateReader(this KafkaMockCluster kafka, string topic, int partitions)
    {
        var consumer = new ConsumerBuilder<string?, string?>(new ConsumerConfig
        {
            BootstrapServers = kafka.BootstrapServers,
            GroupId = $"reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            AutoOffsetReset = AutoOffsetReset.Earliest,
        }).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        return consumer;
    }

    /// <summary>The offsets <paramref name="groupId"/> committed for each partition of <paramref name="topic"/> (-1001 where none).</summary>
    public static long[] CommittedOffsets(this KafkaMockCluster kafka, string groupId, string topic, int partitions)
    {
        using var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig { BootstrapServers = kafka.BootstrapServers, GroupId = groupId, EnableAutoCommit = false })
            .SetLogHandler((_, _) => { })
            .Build();
        return consumer.Committed(Enumerable.Range(0, partitions).Select(p => new TopicPartition(topic, p)), TimeSpan.FromSeconds(10))
            .OrderBy(p => p.Partition.Value)
            .Select(p => p.Offset.Value)
            .ToArray();
    }

    /// <summary>Produces the create-one-task messages numbered <paramref name="from"/> up to (not including) <paramref name="to"/>.</summary>
    public static void ProduceTasks(this KafkaMockCluster kafka, string topic, int from, int to)
    {
        using var producer = kafka.CreateProducer();
        for (var n = from; n < to; n++)
        {
            producer.Produce(topic, new Message<string?, string> { Key = $"order-{n}", Value = TaskServiceSilos.CreateOneTask(n) });
        }

        if (producer.Flush(TimeSpan.FromSeconds(60)) > 0)
        {
            throw new InvalidOperationException($"Messages to {topic} were not acknowledged within 60 s.");
        }
    }
}
