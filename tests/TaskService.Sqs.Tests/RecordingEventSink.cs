using System.Collections.Concurrent;
using TaskService.Connectors.Sqs;
using TaskService.Events;

namespace TaskService.Sqs.Tests;

/// <summary>Records through the real ingress and remembers, in order, which events were recorded.</summary>
public sealed class RecordingEventSink(IEventIngress ingress) : ISqsEventSink
{
    private readonly IngressEventSink _ingress = new(ingress, Microsoft.Extensions.Logging.Abstractions.NullLogger<IngressEventSink>.Instance);

    public ConcurrentQueue<EventRecord> Recorded { get; } = new();

    /// <summary>When set, each record first waits a random 1 to 14 ms, so concurrent records would finish out of order.</summary>
    public bool Jitter { get; set; }

    public async Task<TimeSpan?> RecordAsync(EventRecord record, CancellationToken cancellationToken)
    {
        if (Jitter)
        {
            await Task.Delay(Random.Shared.Next(1, 15), cancellationToken);
        }

        var answer = await _ingress.RecordAsync(record, cancellationToken);
        Recorded.Enqueue(record);
        return answer;
    }
}
