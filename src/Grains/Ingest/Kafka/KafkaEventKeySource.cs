namespace TaskService.Connectors.Kafka;

/// <summary>Where the key of an incoming event comes from.</summary>
public enum KafkaEventKeySource
{
    /// <summary>The topic name (as the original did).</summary>
    Topic,

    /// <summary>A string field of the JSON value, named by a dotted path.</summary>
    Field,

    /// <summary>A message header (UTF-8).</summary>
    Header,
}
