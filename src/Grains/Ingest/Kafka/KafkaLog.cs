using Microsoft.Extensions.Logging;

namespace TaskService.Connectors.Kafka;

/// <summary>Log messages of the Kafka connectors.</summary>
internal static partial class KafkaLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka topic {Topic} has {PartitionCount} partitions; each is an Orleans stream queue of provider {Provider}")]
    public static partial void PartitionsDiscovered(ILogger logger, string topic, int partitionCount, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka topic {Topic} could not be described yet ({Reason}); retrying until {Deadline:O}")]
    public static partial void MetadataRetry(ILogger logger, string topic, string reason, DateTimeOffset deadline);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reading Kafka partition {Topic}/{Partition} from its committed offset (group {GroupId})")]
    public static partial void ReceiverStarted(ILogger logger, string topic, int partition, string groupId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopped reading Kafka partition {Topic}/{Partition}; committed up to offset {NextOffset}")]
    public static partial void ReceiverStopped(ILogger logger, string topic, int partition, long nextOffset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Reading Kafka partition {Topic}/{Partition} failed; the pulling agent reads again at its next poll")]
    public static partial void ConsumeFailed(ILogger logger, string topic, int partition, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Recording the event of Kafka message {Topic}/{Partition}@{Offset} failed; the event router records it, retrying and dead-lettering it as a failed delivery")]
    public static partial void RecordFailed(ILogger logger, string topic, int partition, long offset, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Kafka message {Topic}/{Partition}@{Offset} has the id {EventId}, which an event recorded before with other content holds; skipped. Its topic was created again (or this is another cluster's topic of that name) and the message has no timestamp to tell the two apart")]
    public static partial void IdConflict(ILogger logger, string topic, int partition, long offset, string eventId);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Kafka partition {Topic}/{Partition} holds messages, from offset {Offset}, at offsets whose events were recorded before with other content: the topic was created again, or this is another cluster's topic of that name. Each such message is recorded under an id that adds its timestamp")]
    public static partial void OffsetsReused(ILogger logger, string topic, int partition, long offset);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Offset {Offset} of Kafka partition {Topic}/{Partition} could not be stored for commit")]
    public static partial void StoreOffsetFailed(ILogger logger, string topic, int partition, long offset, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The final commit of Kafka partition {Topic}/{Partition} failed; its handled messages are read again by the next owner and recorded once")]
    public static partial void FinalCommitFailed(ILogger logger, string topic, int partition, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka message {Topic}/{Partition}@{Offset} went to dead-letter topic {DeadLetterTopic} ({Reason}): {Error}")]
    public static partial void DeadLettered(ILogger logger, string topic, int partition, long offset, string deadLetterTopic, string reason, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka message {Topic}/{Partition}@{Offset} could not be written to dead-letter topic {DeadLetterTopic}; retrying in {Delay}")]
    public static partial void DeadLetterRetry(ILogger logger, string topic, int partition, long offset, string deadLetterTopic, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Delivery of Kafka message {Topic}/{Partition}@{Offset} on stream {StreamId} failed, but the message is no longer held; it is read again by the partition's next owner")]
    public static partial void FailedMessageNotHeld(ILogger logger, string topic, int partition, long offset, string streamId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Subscription {SubscriptionId} to stream {StreamId} of provider {Provider} failed")]
    public static partial void SubscriptionFailed(ILogger logger, string subscriptionId, string streamId, string provider);

    [LoggerMessage(Message = "librdkafka {Client}: {Facility} {Text}")]
    public static partial void ClientLog(ILogger logger, LogLevel level, string client, string facility, string text);

    [LoggerMessage(Message = "Kafka client {Client} reported {Code}: {Reason}")]
    public static partial void ClientError(ILogger logger, LogLevel level, string client, string code, string reason);

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Kafka client {Client} cannot reach its brokers ({Reason}); librdkafka keeps trying, and this is said again at most once a minute. {WhatToCheck}")]
    public static partial void BrokersUnreachable(ILogger logger, string client, string reason, string whatToCheck);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Kafka client {Client} still cannot reach its brokers after {Failures} failures over {Elapsed} ({Reason}). {WhatToCheck}")]
    public static partial void BrokersStillUnreachable(ILogger logger, string client, int failures, TimeSpan elapsed, string reason, string whatToCheck);

    [LoggerMessage(Level = LogLevel.Information, Message = "Kafka client {Client} reaches its brokers again after {Failures} failures over {Elapsed}")]
    public static partial void BrokersReachable(ILogger logger, string client, int failures, TimeSpan elapsed);
}
