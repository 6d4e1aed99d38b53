using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Events;
using TaskService.Outgoing;
using TaskService.Webhooks;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// Publishes lifecycle events to a Kafka topic through one shared idempotent producer (acks=all). The value is exactly the webhook
/// body (<c>{id, key, payload, timestamp, source}</c> as JavaScript writes it), the event id and type are headers, and the message
/// key is the task id, the event key or the event id. <see cref="PublishAsync"/> and <see cref="PublishManyAsync"/> return once
/// the brokers acknowledged the events, so the outbox marks them dispatched only then.
/// </summary>
public sealed class KafkaOutgoingConnector : IOutgoingConnector, IDisposable
{
    private static readonly byte[] JsonContentType = "application/json"u8.ToArray();

    private readonly KafkaOutgoingOptions _options;
    private readonly string _topic;
    private int _disposed;
    private readonly Lazy<IProducer<byte[], byte[]>> _producer;
    private readonly KafkaClientLogging _clientLogging;

    public KafkaOutgoingConnector(IOptions<KafkaOptions> options, ILogger<KafkaOutgoingConnector> logger)
    {
        var kafka = options.Value;
        _options = kafka.Outgoing;
        _topic = kafka.Outgoing.Topic ?? throw new InvalidOperationException("TaskService:Kafka:Outgoing:Topic is required.");
        var clientId = $"task-service-outgoing-{Environment.MachineName}";
        _clientLogging = new KafkaClientLogging(logger, clientId);
        _producer = new Lazy<IProducer<byte[], byte[]>>(() =>
            new ProducerBuilder<byte[], byte[]>(KafkaClientConfig.ForProducer(kafka, clientId, _options.DeliveryTimeout))
                .SetLogHandler((_, message) => _clientLogging.Log(message))
                .SetErrorHandler((_, error) => _clientLogging.Error(error))
                .Build());
    }

    public string Name => "kafka";

    public async Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default)
    {
        var started = Stopwatch.GetTimestamp();
        await _producer.Value.ProduceAsync(_topic, CreateMessage(outgoingEvent), cancellationToken);
        _clientLogging.Worked();
        KafkaInstruments.EventsPublished.Add(1);
        KafkaInstruments.PublishDuration.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
    }

    /// <summary>
    /// Hands the whole batch to the producer in the given order before waiting for any acknowledgement, so a batch takes about one
    /// round trip to the brokers rather than one per event; the idempotent producer keeps the order within each partition, also
    /// across its retries. Returns once every event was acknowledged; when one failed, the batch is handed over again later.
    /// </summary>
    public async Task PublishManyAsync(IReadOnlyList<OutgoingEvent> outgoingEvents, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(outgoingEvents);
        var started = Stopwatch.GetTimestamp();
        var producer = _producer.Value;
        var deliveries = new Task[outgoingEvents.Count];
        for (var i = 0; i < deliveries.Length; i++)
        {
            deliveries[i] = producer.ProduceAsync(_topic, CreateMessage(outgoingEvents[i]), cancellationToken);
        }

        await Task.WhenAll(deliveries);
        _clientLogging.Worked();
        var elapsed = Stopwatch.GetElapsedTime(started).TotalSeconds;
        KafkaInstruments.EventsPublished.Add(deliveries.Length);
        foreach (var _ in deliveries)
        {
            KafkaInstruments.PublishDuration.Record(elapsed);
        }
    }

    private Message<byte[], byte[]> CreateMessage(OutgoingEvent outgoingEvent)
    {
        var message = new Message<byte[], byte[]>
        {
            Key = Encoding.UTF8.GetBytes(MessageKey(outgoingEvent, _options.MessageKey)),
            Value = WebhookSender.CreateBody(outgoingEvent),
            Timestamp = new Timestamp(outgoingEvent.Timestamp, TimestampType.CreateTime),
            Headers = new Headers
            {
                { KafkaHeaders.EventId, Encoding.UTF8.GetBytes(outgoingEvent.Id) },
                { KafkaHeaders.EventType, Encoding.UTF8.GetBytes(outgoingEvent.Key) },
                { KafkaHeaders.ContentType, JsonContentType },
            },
        };
        if (outgoingEvent.TraceParent is { } traceParent)
        {
            message.Headers.Add(TaskServiceActivities.TraceParentHeader, Encoding.UTF8.GetBytes(traceParent));
        }

        return message;
    }

    /// <summary>The message key of an event: its task's id (see <see cref="OutgoingEventOrder.KeyOf"/>), its key or its id.</summary>
    public static string MessageKey(OutgoingEvent outgoingEvent, KafkaMessageKey key) => key switch
    {
        KafkaMessageKey.EventKey => outgoingEvent.Key,
        KafkaMessageKey.EventId => outgoingEvent.Id,
        _ => OutgoingEventOrder.KeyOf(outgoingEvent),
    };

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _producer.IsValueCreated)
        {
            _producer.Value.Flush(TimeSpan.FromSeconds(5));
            _producer.Value.Dispose();
        }
    }
}
