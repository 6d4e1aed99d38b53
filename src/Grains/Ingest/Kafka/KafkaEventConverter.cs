using System.Text;
using System.Text.Json;
using Confluent.Kafka;
using TaskService.Common;
using TaskService.Events;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// Turns a Kafka message into an event: the JSON value is the payload, the key comes from the topic, a field of the value or a
/// header, the timestamp from the message, and the id from topic, partition and offset, so a redelivered message records one event.
/// A message is held to the same limits as an event taken over HTTP (<see cref="LimitsOptions"/>: payload size, JSON depth,
/// well-formed Unicode, key length); one that breaks them cannot become an event and is dead-lettered.
/// </summary>
public sealed class KafkaEventConverter(KafkaIncomingOptions options, TimeProvider time, LimitsOptions? limits = null)
{
    private readonly LimitsOptions _limits = limits ?? new LimitsOptions();

    public const string Source = "kafka";

    private readonly string[] _keyPath = options.KeySource == KafkaEventKeySource.Field ? EventKeyField.Path(options.Key) : [];

    /// <summary>
    /// Longest offset id (<see cref="EventId"/>): the width of PostgreSQL's event ids, less room for the timestamp that
    /// <see cref="TimestampEventId"/> may add.
    /// </summary>
    public const int MaxOffsetIdLength = Storage.Postgres.PostgresTaskServiceStore.MaxKeyColumnLength - 20;

    /// <summary>
    /// The event id of the message at <paramref name="offset"/> of a partition: <c>kafka:&lt;topic&gt;:&lt;partition&gt;:&lt;offset&gt;</c>.
    /// Kafka allows topic names of up to 249 characters; where the whole name would make the id longer than
    /// <see cref="MaxOffsetIdLength"/>, it keeps the name's start and adds <c>~</c> and 16 hex digits of the name's SHA-256, so
    /// two long names that begin alike still give ids of their own.
    /// </summary>
    public static string EventId(string topic, int partition, long offset)
    {
        ArgumentNullException.ThrowIfNull(topic);
        var position = $":{KafkaClientConfig.Format(partition)}:{KafkaClientConfig.Format(offset)}";
        var id = $"kafka:{topic}{position}";
        if (id.Length <= MaxOffsetIdLength)
        {
            return id;
        }

        var digest = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(topic)), 0, 8);
        var kept = MaxOffsetIdLength - "kafka:".Length - 1 - digest.Length - position.Length;
        return $"kafka:{topic[..kept]}~{digest}{position}";
    }

    /// <summary>
    /// The event id of a message whose offset id (<see cref="EventId"/>) an earlier event of other content holds, as after the
    /// topic was created again: the offset id and the message's timestamp in Unix milliseconds, which is the same each time the
    /// message is read.
    /// </summary>
    public static string TimestampEventId(string offsetId, long timestampMs) =>
        $"{offsetId}@{timestampMs.ToString(System.Globalization.CultureInfo.InvariantCulture)}";

    /// <summary>Converts the message, or tells in <paramref name="error"/> why it cannot become an event.</summary>
    public bool TryConvert(ConsumeResult<byte[]?, byte[]?> result, out EventRecord? record, out string? error)
    {
        record = null;
        var value = result.Message.Value;
        if (value is null || value.Length == 0)
        {
            error = "The message has no value; TaskService expects a JSON value.";
            return false;
        }

        if (!IncomingEventLimits.TryParsePayload(value, "value", _limits, out var payload, out error)
            || !TryGetKey(result, payload, out var key, out error))
        {
            return false;
        }

        if (IncomingEventLimits.CheckKey(key, _limits) is { } refusal)
        {
            error = refusal;
            return false;
        }

        var timestamp = result.Message.Timestamp;
        record = new EventRecord
        {
            Id = EventId(result.Topic, result.Partition.Value, result.Offset.Value),
            Key = key,
            Payload = payload,
            Source = Source,
            Description = $"{result.Topic}/{result.Partition.Value}@{KafkaClientConfig.Format(result.Offset.Value)}",
            Timestamp = timestamp.Type == TimestampType.NotAvailable ? time.GetUtcNow().ToUnixTimeMilliseconds() : timestamp.UnixTimestampMs,
            TraceParent = result.Message.Headers is { } headers && headers.TryGetLastBytes(TaskServiceActivities.TraceParentHeader, out var trace) && trace is { Length: > 0 and <= 128 }
                ? System.Text.Encoding.ASCII.GetString(trace)
                : null,
        };
        return true;
    }

    private bool TryGetKey(ConsumeResult<byte[]?, byte[]?> result, JsonElement payload, out string key, out string? error)
    {
        error = null;
        switch (options.KeySource)
        {
            case KafkaEventKeySource.Field:
                key = EventKeyField.Read(payload, _keyPath);
                if (key.Length == 0)
                {
                    error = $"The value has no non-empty string field '{options.Key}' to take the event key from.";
                    return false;
                }

                return true;

            case KafkaEventKeySource.Header:
                key = result.Message.Headers is { } headers && headers.TryGetLastBytes(options.Key, out var bytes) && bytes is { Length: > 0 }
                    ? Encoding.UTF8.GetString(bytes)
                    : string.Empty;
                if (key.Length == 0)
                {
                    error = $"The message has no non-empty header '{options.Key}' to take the event key from.";
                    return false;
                }

                return true;

            default:
                key = result.Topic;
                return true;
        }
    }
}
