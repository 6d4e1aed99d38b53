using System.Text;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// Writes messages that could not be handled to the dead-letter topic: the original key, value and headers, plus the reason, the
/// error and the origin (topic, partition, offset, group) in headers. A write is retried until the brokers acknowledge it, so a
/// partition only moves past a message once the message is safe in the dead-letter topic.
/// </summary>
public sealed class KafkaDeadLetterPublisher : IDisposable
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(5);

    private readonly KafkaOptions _options;
    private readonly ILogger _logger;
    private int _disposed;
    private readonly Lazy<IProducer<byte[]?, byte[]?>> _producer;
    private readonly KafkaClientLogging _clientLogging;

    public KafkaDeadLetterPublisher(KafkaOptions options, string clientId, ILogger logger)
    {
        _options = options;
        _logger = logger;
        _clientLogging = new KafkaClientLogging(logger, clientId);
        _producer = new Lazy<IProducer<byte[]?, byte[]?>>(() =>
            new ProducerBuilder<byte[]?, byte[]?>(KafkaClientConfig.ForProducer(options, clientId, TimeSpan.FromSeconds(30)))
                .SetLogHandler((_, message) => _clientLogging.Log(message))
                .SetErrorHandler((_, error) => _clientLogging.Error(error))
                .Build());
    }

    public string Topic => _options.Incoming.DeadLetterTopic;

    /// <summary>Writes the message to the dead-letter topic; returns once the brokers acknowledged it.</summary>
    public async Task PublishAsync(ConsumeResult<byte[]?, byte[]?> result, string reason, string error, CancellationToken cancellationToken)
    {
        var headers = new Headers();
        if (result.Message.Headers is { } original)
        {
            foreach (var header in original)
            {
                headers.Add(header.Key, header.GetValueBytes());
            }
        }

        headers.Add(KafkaHeaders.DeadLetterReason, Encoding.UTF8.GetBytes(reason));
        headers.Add(KafkaHeaders.DeadLetterError, Encoding.UTF8.GetBytes(error));
        headers.Add(KafkaHeaders.OriginTopic, Encoding.UTF8.GetBytes(result.Topic));
        headers.Add(KafkaHeaders.OriginPartition, Encoding.UTF8.GetBytes(KafkaClientConfig.Format(result.Partition.Value)));
        headers.Add(KafkaHeaders.OriginOffset, Encoding.UTF8.GetBytes(KafkaClientConfig.Format(result.Offset.Value)));
        headers.Add(KafkaHeaders.OriginGroup, Encoding.UTF8.GetBytes(_options.Incoming.GroupId));
        if (result.Message.Timestamp.Type != TimestampType.NotAvailable)
        {
            headers.Add(KafkaHeaders.OriginTimestamp, Encoding.UTF8.GetBytes(KafkaClientConfig.Format(result.Message.Timestamp.UnixTimestampMs)));
        }

        var message = new Message<byte[]?, byte[]?> { Key = result.Message.Key, Value = result.Message.Value, Headers = headers };
        var delay = FirstRetryDelay;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            try
            {
                await _producer.Value.ProduceAsync(Topic, message, cancellationToken);
                _clientLogging.Worked();
                KafkaInstruments.MessagesDeadLettered.Add(1);
                KafkaLog.DeadLettered(_logger, result.Topic, result.Partition.Value, result.Offset.Value, Topic, reason, error);
                return;
            }
            catch (ProduceException<byte[]?, byte[]?> exception)
            {
                KafkaLog.DeadLetterRetry(_logger, result.Topic, result.Partition.Value, result.Offset.Value, Topic, delay, exception);
            }

            await Task.Delay(delay, cancellationToken);
            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _producer.IsValueCreated)
        {
            _producer.Value.Flush(TimeSpan.FromSeconds(5));
            _producer.Value.Dispose();
        }
    }
}
