using System.Diagnostics.Metrics;

namespace TaskService.Connectors.Kafka;

/// <summary>Metrics of the Kafka connectors, on the <c>TaskService.Kafka</c> meter.</summary>
public static class KafkaInstruments
{
    public const string MeterName = "TaskService.Kafka";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Messages read from incoming partitions.</summary>
    public static readonly Counter<long> MessagesRead = Meter.CreateCounter<long>("taskservice.kafka.messages_read", "{message}");

    /// <summary>Incoming messages handed over for good (delivered to the event router or dead-lettered) and so committable.</summary>
    public static readonly Counter<long> MessagesHandled = Meter.CreateCounter<long>("taskservice.kafka.messages_handled", "{message}");

    /// <summary>Incoming messages sent to the dead-letter topic.</summary>
    public static readonly Counter<long> MessagesDeadLettered = Meter.CreateCounter<long>("taskservice.kafka.messages_dead_lettered", "{message}");

    /// <summary>Outgoing events acknowledged by the brokers.</summary>
    public static readonly Counter<long> EventsPublished = Meter.CreateCounter<long>("taskservice.kafka.events_published", "{event}");

    /// <summary>Time from handing an outgoing event to the producer until the brokers acknowledged it.</summary>
    public static readonly Histogram<double> PublishDuration = Meter.CreateHistogram<double>("taskservice.kafka.publish_duration", "s");
}
