using System.Text;
using Confluent.Kafka;

namespace TaskService.ConnectorBenchmarks;

/// <summary>
/// Reads the output topic in the background into the tally, from its beginning; <c>fetchWaitMs</c> bounds a fetch's wait for
/// data (librdkafka's default when null).
/// </summary>
internal sealed class KafkaOutputReader : IDisposable
{
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public KafkaOutputReader(string bootstrap, string topic, int partitions, OutputTally tally, int? fetchWaitMs)
    {
        var consumer = new ConsumerBuilder<Ignore, string>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"bench-reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
            FetchWaitMaxMs = fetchWaitMs,
        }).SetLogHandler((_, _) => { }).Build();
        consumer.Assign(Enumerable.Range(0, partitions).Select(p => new TopicPartitionOffset(topic, p, Offset.Beginning)));
        _thread = new Thread(() =>
        {
            using (consumer)
            {
                while (!_stop.IsCancellationRequested)
                {
                    var result = consumer.Consume(TimeSpan.FromMilliseconds(100));
                    if (result?.Message.Headers is { } headers && headers.TryGetLastBytes("event-id", out var id))
                    {
                        tally.Received(Encoding.UTF8.GetString(id), result.Message.Value);
                    }
                }
            }
        }) { IsBackground = true, Name = "output-reader" };
        _thread.Start();
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
    }
}
