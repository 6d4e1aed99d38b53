using System.Diagnostics.Metrics;

namespace TaskService.Connectors.Sqs;

/// <summary>Metrics of the SQS connectors, on the <c>TaskService.Sqs</c> meter.</summary>
public static class SqsInstruments
{
    public const string MeterName = "TaskService.Sqs";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Messages received from incoming queues.</summary>
    public static readonly Counter<long> MessagesReceived = Meter.CreateCounter<long>("taskservice.sqs.messages_received", "{message}");

    /// <summary>Incoming messages whose event was recorded (and which were then deleted).</summary>
    public static readonly Counter<long> MessagesRecorded = Meter.CreateCounter<long>("taskservice.sqs.messages_recorded", "{message}");

    /// <summary>Incoming messages sent to the dead-letter queue.</summary>
    public static readonly Counter<long> MessagesDeadLettered = Meter.CreateCounter<long>("taskservice.sqs.messages_dead_lettered", "{message}");

    /// <summary>Outgoing events accepted by SQS.</summary>
    public static readonly Counter<long> EventsPublished = Meter.CreateCounter<long>("taskservice.sqs.events_published", "{event}");

    /// <summary>Time of one <c>SendMessageBatch</c> request.</summary>
    public static readonly Histogram<double> PublishDuration = Meter.CreateHistogram<double>("taskservice.sqs.publish_duration", "s");
}
