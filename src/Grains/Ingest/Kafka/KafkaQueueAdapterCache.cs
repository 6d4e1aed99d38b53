using Orleans.Streams;

namespace TaskService.Connectors.Kafka;

/// <summary>Creates each partition queue's <see cref="KafkaQueueCache"/>.</summary>
public sealed class KafkaQueueAdapterCache(int cacheSize) : IQueueAdapterCache
{
    public IQueueCache CreateQueueCache(QueueId queueId) => new KafkaQueueCache(cacheSize);
}
