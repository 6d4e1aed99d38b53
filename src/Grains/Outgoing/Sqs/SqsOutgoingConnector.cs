using System.Diagnostics;
using System.Globalization;
using System.Text;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Options;
using TaskService.Events;
using TaskService.Outgoing;
using TaskService.Webhooks;

namespace TaskService.Connectors.Sqs;

/// <summary>
/// Sends lifecycle events to an SQS queue with <c>SendMessageBatch</c> (up to 10 per request). The body is exactly the webhook body
/// (<c>{id, key, payload, timestamp, source}</c>); the event id and type are message attributes. On a FIFO queue the message group
/// is the event's task id (so one task's events keep their order) and the deduplication id is the event id (so an event the outbox
/// hands over twice is queued once). Returns once SQS accepted every message, so the outbox marks the events dispatched only then.
/// </summary>
public sealed class SqsOutgoingConnector : IOutgoingConnector, IDisposable
{
    /// <summary>SQS takes at most 10 messages per <c>SendMessageBatch</c>.</summary>
    public const int MaxBatch = 10;

    private readonly AmazonSQSClient _client;
    private readonly string _configuredQueue;
    private readonly SemaphoreSlim _resolving = new(1, 1);
    private SqsQueue? _queue;

    public SqsOutgoingConnector(IOptions<SqsOptions> options)
    {
        _configuredQueue = options.Value.Outgoing.Queue ?? throw new InvalidOperationException("TaskService:Sqs:Outgoing:Queue is required.");
        _client = SqsClientFactory.Create(options.Value);
    }

    public string Name => "sqs";

    public Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default) =>
        PublishManyAsync([outgoingEvent], cancellationToken);

    /// <summary>Sends the events in their order, ten per request; fails when any of them was not accepted.</summary>
    public async Task PublishManyAsync(IReadOnlyList<OutgoingEvent> outgoingEvents, CancellationToken cancellationToken = default)
    {
        var queue = _queue ?? await ResolveAsync(cancellationToken);
        for (var start = 0; start < outgoingEvents.Count; start += MaxBatch)
        {
            var chunk = outgoingEvents.Skip(start).Take(MaxBatch).ToList();
            var started = Stopwatch.GetTimestamp();
            var response = await _client.SendMessageBatchAsync(new SendMessageBatchRequest
            {
                QueueUrl = queue.Url,
                Entries = chunk.Select((e, i) => Entry(e, i, queue.IsFifo)).ToList(),
            }, cancellationToken);
            if (response.Failed is { Count: > 0 } failed)
            {
                // Only the service's error codes are named; the outbox retries the events (receivers deduplicate on the event id).
                throw new SqsSendException(
                    $"SQS refused {failed.Count} of {chunk.Count} messages: {string.Join(", ", failed.Select(f => f.Code).Distinct(StringComparer.Ordinal))}");
            }

            SqsInstruments.EventsPublished.Add(chunk.Count);
            SqsInstruments.PublishDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }

    /// <summary>The batch entry of one event.</summary>
    public static SendMessageBatchRequestEntry Entry(OutgoingEvent outgoingEvent, int index, bool fifo)
    {
        var entry = new SendMessageBatchRequestEntry
        {
            Id = index.ToString(CultureInfo.InvariantCulture),
            MessageBody = Encoding.UTF8.GetString(WebhookSender.CreateBody(outgoingEvent)),
            MessageAttributes = new Dictionary<string, MessageAttributeValue>
            {
                [SqsAttributes.EventId] = new() { DataType = "String", StringValue = outgoingEvent.Id },
                [SqsAttributes.EventType] = new() { DataType = "String", StringValue = outgoingEvent.Key },
                [SqsAttributes.ContentType] = new() { DataType = "String", StringValue = "application/json" },
            },
        };
        if (fifo)
        {
            entry.MessageGroupId = OutgoingEventOrder.KeyOf(outgoingEvent);
            entry.MessageDeduplicationId = DeduplicationId(outgoingEvent.Id);
        }

        return entry;
    }

    /// <summary>SQS deduplication ids are at most 128 characters; longer event ids are replaced by their SHA-256.</summary>
    private static string DeduplicationId(string eventId) =>
        eventId.Length <= 128 ? eventId : Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(eventId)));

    private async Task<SqsQueue> ResolveAsync(CancellationToken cancellationToken)
    {
        await _resolving.WaitAsync(cancellationToken);
        try
        {
            return _queue ??= await SqsQueue.ResolveAsync(_client, _configuredQueue, cancellationToken);
        }
        finally
        {
            _resolving.Release();
        }
    }

    public void Dispose()
    {
        _client.Dispose();
        _resolving.Dispose();
    }
}
