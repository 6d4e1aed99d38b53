using TaskService.Events;

namespace TaskService.Connectors.Sqs;

/// <summary>
/// Records events through the same ingress as HTTP (<see cref="IEventIngressGrain"/>): recorded once per id, then routed.
/// </summary>
/// <remarks>
/// Backpressure hook: the ingress of this branch has no bounded variant yet, so every event is accepted. When
/// <c>IEventIngressGrain.TryPublishAsync</c> (answers "over the bound, retry after ...") is available, call it here and return its
/// retry-after; the receivers already stop receiving for that long.
/// </remarks>
public sealed class IngressEventSink(IGrainFactory grains) : ISqsEventSink
{
    public async Task<TimeSpan?> RecordAsync(EventRecord record, CancellationToken cancellationToken)
    {
        await grains.GetGrain<IEventIngressGrain>(0).PublishAsync(record).WaitAsync(cancellationToken);
        return null;
    }
}
