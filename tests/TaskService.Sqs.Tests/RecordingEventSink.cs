using System.Collections.Concurrent;
using TaskService.Connectors.Sqs;
using TaskService.Events;

namespace TaskService.Sqs.Tests;

/// <summary>Records through the real ingress and remembers, in order, which events were recorded.</summary>
public sealed class RecordingEventSink(IGrainFactory grains) : ISqsEventSink
{
    private readonly IngressEventSink _ingress = new(grains);

    public ConcurrentQueue<EventRecord> Recorded { get; } = new();

    public async Task<TimeSpan?> RecordAsync(EventRecord record, CancellationToken cancellationToken)
    {
        var answer = await _ingress.RecordAsync(record, cancellationToken);
        Recorded.Enqueue(record);
        return answer;
    }
}
