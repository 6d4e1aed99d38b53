using Orleans.Runtime;
using Orleans.Streams;

namespace TaskService.Connectors.Kafka;

/// <summary>The read-only queue adapter: events come from the producers of the incoming topics, never through this provider.</summary>
public sealed class KafkaQueueAdapter(string name, KafkaQueueAdapterFactory factory) : IQueueAdapter
{
    public string Name => name;

    public bool IsRewindable => false;

    public StreamProviderDirection Direction => StreamProviderDirection.ReadOnly;

    public IQueueAdapterReceiver CreateReceiver(QueueId queueId) => factory.CreateReceiver(queueId);

    public Task QueueMessageBatchAsync<T>(StreamId streamId, IEnumerable<T> events, StreamSequenceToken? token, Dictionary<string, object>? requestContext) =>
        throw new NotSupportedException($"Stream provider '{name}' only reads Kafka topics; produce events to them with a Kafka client.");
}
