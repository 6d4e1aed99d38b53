using Confluent.Kafka;
using Orleans.Runtime;
using Orleans.Streams;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// One Orleans stream queue per partition of the incoming topics (the topic's name and partition number make the queue id). The
/// queues' ring hashes are spread evenly, so the consistent-ring balancer can be used too; the default is <see cref="KafkaPartitionBalancer"/>.
/// </summary>
public sealed class KafkaQueueMapper : IConsistentRingStreamQueueMapper
{
    private readonly QueueId[] _queues;
    private readonly Dictionary<QueueId, TopicPartition> _partitions;

    public KafkaQueueMapper(IReadOnlyList<TopicPartition> partitions)
    {
        if (partitions.Count == 0)
        {
            throw new ArgumentException("At least one partition is needed.", nameof(partitions));
        }

        _queues = new QueueId[partitions.Count];
        _partitions = new Dictionary<QueueId, TopicPartition>(partitions.Count);
        for (var index = 0; index < partitions.Count; index++)
        {
            var partition = partitions[index];
            var hash = (uint)((ulong)uint.MaxValue * (ulong)index / (ulong)partitions.Count);
            var queue = QueueId.GetQueueId(partition.Topic, (uint)partition.Partition.Value, hash);
            _queues[index] = queue;
            _partitions.Add(queue, partition);
        }
    }

    public IReadOnlyCollection<TopicPartition> Partitions => _partitions.Values;

    public IEnumerable<QueueId> GetAllQueues() => _queues;

    /// <summary>Used only by producers, which this read-only provider has none of: spreads streams over the queues by hash.</summary>
    public QueueId GetQueueForStream(StreamId streamId) => _queues[(uint)streamId.GetHashCode() % (uint)_queues.Length];

    public IEnumerable<QueueId> GetQueuesForRange(IRingRange range) => _queues.Where(q => range.InRange(q.GetUniformHashCode()));

    public TopicPartition GetPartition(QueueId queueId) =>
        _partitions.TryGetValue(queueId, out var partition)
            ? partition
            : throw new ArgumentException($"Queue {queueId} is not a partition of the incoming topics.", nameof(queueId));
}
