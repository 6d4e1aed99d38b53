namespace TaskService.Connectors.Kafka;

/// <summary>Where a partition without a committed offset starts (librdkafka's <c>auto.offset.reset</c>).</summary>
public enum KafkaStartPosition
{
    Earliest,
    Latest,
}
