using System.Collections.Concurrent;
using System.Text;
using Confluent.Kafka;

namespace TaskService.Kafka.Tests;

/// <summary>Reads a topic from the beginning in the background and keeps what arrives, for assertions.</summary>
public sealed class TopicCollector : IAsyncDisposable
{
    private readonly ConcurrentQueue<CollectedMessage> _messages = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;

    public TopicCollector(KafkaMockCluster kafka, string topic, int partitions)
    {
        var consumer = kafka.CreateReader(topic, partitions);
        _loop = Task.Factory.StartNew(
            () =>
            {
                using (consumer)
                {
                    while (!_stop.IsCancellationRequested)
                    {
                        try
                        {
                            var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                            if (result is { IsPartitionEOF: false })
                            {
                                _messages.Enqueue(new CollectedMessage(
                                    result.Message.Key,
                                    result.Message.Value,
                                    Headers(result.Message.Headers),
                                    result.Partition.Value,
                                    result.Offset.Value));
                            }
                        }
                        catch (ConsumeException)
                        {
                            // The broker may be down on purpose; keep reading.
                        }
                    }

                    consumer.Close();
                }
            },
            TaskCreationOptions.LongRunning);
    }

    public IReadOnlyList<CollectedMessage> Messages => _messages.ToArray();

    private static Dictionary<string, string> Headers(Headers? headers)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var header in headers ?? [])
        {
            values[header.Key] = Encoding.UTF8.GetString(header.GetValueBytes());
        }

        return values;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _loop;
    }
}
