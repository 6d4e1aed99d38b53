using System.ComponentModel.DataAnnotations;

namespace TaskService.Connectors.Kafka;

/// <summary>The outgoing side: where lifecycle events (<c>task-created</c>, ...) are published.</summary>
public sealed class KafkaOutgoingOptions
{
    /// <summary>Whether lifecycle events are published to Kafka (webhooks stay on either way).</summary>
    public bool Enabled { get; set; }

    /// <summary>The topic every outgoing event goes to.</summary>
    public string? Topic { get; set; }

    /// <summary>What the message key is, which decides the partition and so the order receivers see.</summary>
    public KafkaMessageKey MessageKey { get; set; } = KafkaMessageKey.TaskId;

    /// <summary>How long a publication may wait for the brokers' acknowledgement (librdkafka's <c>message.timeout.ms</c>).</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "01:00:00")]
    public TimeSpan DeliveryTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
