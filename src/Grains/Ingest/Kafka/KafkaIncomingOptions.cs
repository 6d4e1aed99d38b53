using System.ComponentModel.DataAnnotations;

namespace TaskService.Connectors.Kafka;

/// <summary>The incoming side: which topics feed the event router and how their messages become events.</summary>
public sealed class KafkaIncomingOptions
{
    /// <summary>Whether the silo reads events from Kafka.</summary>
    public bool Enabled { get; set; }

    /// <summary>The topics to read; each of their partitions is one Orleans stream queue.</summary>
    public List<string> Topics { get; set; } = [];

    /// <summary>The consumer group whose committed offsets record how far each partition was handled.</summary>
    [Required]
    public string GroupId { get; set; } = "task-service";

    /// <summary>Where a partition without a committed offset starts.</summary>
    public KafkaStartPosition StartFrom { get; set; } = KafkaStartPosition.Earliest;

    /// <summary>Where the event key comes from; by default the topic name, as in the original.</summary>
    public KafkaEventKeySource KeySource { get; set; } = KafkaEventKeySource.Topic;

    /// <summary>
    /// With <see cref="KafkaEventKeySource.Field"/>: a dotted path into the JSON value (<c>type</c>, <c>meta.eventType</c>);
    /// with <see cref="KafkaEventKeySource.Header"/>: the header's name.
    /// </summary>
    public string? Key { get; set; }

    /// <summary>
    /// Where messages go that cannot become an event (not JSON, no key) or whose delivery to the event router kept failing.
    /// They carry their error and origin in headers, and the partition moves on.
    /// </summary>
    [Required]
    public string DeadLetterTopic { get; set; } = "task-service.dead-letter";

    /// <summary>How often a failing delivery to the event router is retried before the message is dead-lettered.</summary>
    [Range(0, 100)]
    public int DeliveryRetries { get; set; } = 5;

    /// <summary>Delay before the first delivery retry; it doubles with each further retry, up to <see cref="MaxDeliveryRetryBackoff"/>.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:10:00")]
    public TimeSpan DeliveryRetryBackoff { get; set; } = TimeSpan.FromMilliseconds(500);

    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan MaxDeliveryRetryBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often handled offsets are committed (librdkafka's <c>auto.commit.interval.ms</c>); a shut-down commits at once.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "00:10:00")]
    public TimeSpan CommitInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>How often each partition's queue is polled by its pulling agent.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "00:01:00")]
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMilliseconds(50);

    /// <summary>Messages read ahead per partition and not yet handled; reading pauses when the cache is full.</summary>
    [Range(16, 1_000_000)]
    public int CacheSize { get; set; } = 4096;

    /// <summary>Messages taken from a partition per read.</summary>
    [Range(1, 100_000)]
    public int MaxBatchSize { get; set; } = 500;
}
