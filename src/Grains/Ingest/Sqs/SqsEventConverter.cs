using System.Globalization;
using System.Text.Json;
using Amazon.SQS.Model;
using TaskService.Common;
using TaskService.Events;

namespace TaskService.Connectors.Sqs;

/// <summary>
/// Turns an SQS message into an event: the JSON body is the payload, the key comes from the queue's name, a field of the body or a
/// message attribute, the timestamp from <c>SentTimestamp</c>, and the id is <c>sqs:&lt;queue&gt;:&lt;MessageId&gt;</c>, so a
/// redelivered message records one event. A message is held to the limits of an event taken over HTTP (<see cref="IncomingEventLimits"/>).
/// </summary>
public sealed class SqsEventConverter(SqsIncomingOptions options, TimeProvider time, LimitsOptions? limits = null)
{
    private readonly LimitsOptions _limits = limits ?? new LimitsOptions();

    public const string Source = "sqs";

    private readonly string[] _keyPath = options.KeySource == SqsEventKeySource.Field ? EventKeyField.Path(options.Key) : [];

    public static string EventId(string queue, string messageId) => $"sqs:{queue}:{messageId}";

    /// <summary>Converts the message, or tells in <paramref name="error"/> why it cannot become an event.</summary>
    public bool TryConvert(SqsQueue queue, Message message, out EventRecord? record, out string? error)
    {
        record = null;
        if (string.IsNullOrEmpty(message.Body))
        {
            error = "The message has no body; TaskService expects a JSON body.";
            return false;
        }

        if (!IncomingEventLimits.TryParsePayload(System.Text.Encoding.UTF8.GetBytes(message.Body), "body", _limits, out var payload, out error)
            || !TryGetKey(queue, message, payload, out var key, out error))
        {
            return false;
        }

        if (IncomingEventLimits.CheckKey(key, _limits) is { } refusal)
        {
            error = refusal;
            return false;
        }

        record = new EventRecord
        {
            Id = EventId(queue.Name, message.MessageId),
            Key = key,
            Payload = payload,
            Source = Source,
            Description = $"{queue.Name}/{message.MessageId}",
            Timestamp = SentTimestamp(message) ?? time.GetUtcNow().ToUnixTimeMilliseconds(),
        };
        return true;
    }

    /// <summary>The message's <c>MessageGroupId</c> (FIFO queues), or null.</summary>
    public static string? GroupId(Message message) =>
        message.Attributes is { } attributes && attributes.TryGetValue("MessageGroupId", out var group) && !string.IsNullOrEmpty(group) ? group : null;

    private static long? SentTimestamp(Message message) =>
        message.Attributes is { } attributes && attributes.TryGetValue("SentTimestamp", out var sent)
        && long.TryParse(sent, NumberStyles.None, CultureInfo.InvariantCulture, out var milliseconds)
            ? milliseconds
            : null;

    private bool TryGetKey(SqsQueue queue, Message message, JsonElement payload, out string key, out string? error)
    {
        error = null;
        switch (options.KeySource)
        {
            case SqsEventKeySource.Field:
                key = EventKeyField.Read(payload, _keyPath);
                if (key.Length == 0)
                {
                    error = $"The body has no non-empty string field '{options.Key}' to take the event key from.";
                    return false;
                }

                return true;

            case SqsEventKeySource.Attribute:
                key = message.MessageAttributes is { } attributes && attributes.TryGetValue(options.Key ?? string.Empty, out var value)
                    ? value.StringValue ?? string.Empty
                    : string.Empty;
                if (key.Length == 0)
                {
                    error = $"The message has no non-empty string attribute '{options.Key}' to take the event key from.";
                    return false;
                }

                return true;

            default:
                key = queue.Name;
                return true;
        }
    }
}
