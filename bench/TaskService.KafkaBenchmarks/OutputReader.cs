using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Confluent.Kafka;

namespace TaskService.KafkaBenchmarks;

/// <summary>Reads the output topic in the background: counts distinct task-created event ids and how old each event was on arrival.</summary>
internal sealed class OutputReader : IDisposable
{
    private readonly ConcurrentDictionary<string, bool> _ids = new();
    private readonly ConcurrentBag<double> _latencies = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Thread _thread;

    public OutputReader(string bootstrap, string topic, int partitions)
    {
        var consumer = new ConsumerBuilder<Ignore, Ignore>(new ConsumerConfig
        {
            BootstrapServers = bootstrap,
            GroupId = $"bench-reader-{Guid.NewGuid():N}",
            EnableAutoCommit = false,
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
                        if (_ids.TryAdd(Encoding.UTF8.GetString(id), true))
                        {
                            _latencies.Add((DateTime.UtcNow - result.Message.Timestamp.UtcDateTime).TotalMilliseconds);
                        }
                    }
                }
            }
        }) { IsBackground = true, Name = "output-reader" };
        _thread.Start();
    }

    public int Count => _ids.Count;

    public IReadOnlyCollection<double> PublishLatencies => _latencies;

    public async Task WaitForAsync(int count, TimeSpan timeout)
    {
        var clock = Stopwatch.StartNew();
        while (Count < count)
        {
            if (clock.Elapsed > timeout)
            {
                throw new TimeoutException($"{Count} of {count} task-created events arrived within {timeout}.");
            }

            await Task.Delay(50);
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _thread.Join();
    }
}
