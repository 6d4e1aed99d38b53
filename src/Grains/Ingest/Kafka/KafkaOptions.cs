using System.ComponentModel.DataAnnotations;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// Kafka connection and connectors, bound from <c>TaskService:Kafka</c>. Incoming (the stream provider that drives the event router)
/// and outgoing (the connector that publishes lifecycle events) are switched on independently.
/// </summary>
public sealed class KafkaOptions
{
    public const string SectionName = "TaskService:Kafka";

    /// <summary>The name the incoming stream provider is registered under.</summary>
    public const string StreamProviderName = "kafka";

    /// <summary>Comma-separated <c>host:port</c> list (librdkafka's <c>bootstrap.servers</c>).</summary>
    public string? BootstrapServers { get; set; }

    /// <summary>
    /// librdkafka settings for every client, consumers and producers alike: security and the like
    /// (<c>security.protocol</c>, <c>sasl.mechanism</c>, <c>sasl.username</c>, <c>ssl.ca.location</c>, ...).
    /// </summary>
    [Redact]
    public Dictionary<string, string> Client { get; set; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka settings for consumers only; they win over <see cref="Client"/>.</summary>
    [Redact]
    public Dictionary<string, string> Consumer { get; set; } = new(StringComparer.Ordinal);

    /// <summary>librdkafka settings for producers only (the outgoing connector and the dead-letter producer); they win over <see cref="Client"/>.</summary>
    [Redact]
    public Dictionary<string, string> Producer { get; set; } = new(StringComparer.Ordinal);

    public KafkaIncomingOptions Incoming { get; set; } = new();

    public KafkaOutgoingOptions Outgoing { get; set; } = new();

    /// <summary>How long start-up waits for the brokers to describe the incoming topics.</summary>
    [Range(typeof(TimeSpan), "00:00:00.100", "00:10:00")]
    public TimeSpan MetadataTimeout { get; set; } = TimeSpan.FromSeconds(30);
}
