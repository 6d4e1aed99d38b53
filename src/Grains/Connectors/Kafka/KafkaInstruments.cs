using System.Diagnostics.Metrics;

namespace TaskService.Connectors.Kafka;

/// <summary>Metrics of the Kafka connectors, on the <c>TaskService.Kafka</c> meter.</summary>
public static class KafkaInstruments
{
    public const string MeterName = "TaskService.Kafka";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Messages read from incoming partitions.</summary>
    public static readonly Counter<long> MessagesRead = Meter.CreateCounter<long>("task-service.kafka.messages-read", "{message}");

    /// <summary>Incoming messages handed over for good (delivered to the event router or dead-lettered) and so committable.</summary>
    public static readonly Counter<long> MessagesHandled = Meter.CreateCounter<long>("task-service.kafka.messages-handled", "{message}");

    /// <summary>Incoming messages sent to the dead-letter topic.</summary>
    public static readonly Counter<long> MessagesDeadLettered = Meter.CreateCounter<long>("task-service.kafka.messages-dead-lettered", "{message}");

    /// <summary>Outgoing events acknowledged by the brokers.</summary>
    public static readonly Counter<long> EventsPublished = Meter.CreateCounter<long>("task-service.kafka.events-published", "{event}");

    /// <summary>Time from handing an outgoing event to the producer until the brokers acknowledged it.</summary>
    public static readonly Histogram<double> PublishDuration = Meter.CreateHistogram<double>("task-service.kafka.publish-duration", "ms");
}
