using TaskService.Events;

namespace TaskService.Connectors.Sqs;

/// <summary>
/// Records events through the same ingress as HTTP (<see cref="IEventIngressGrain"/>): recorded once per id, then routed.
/// </summary>
/// <remarks>
/// Backpressure hook: the ingress here has no bounded variant yet, so every event is accepted. Once
/// <c>IEventIngressGrain.TryPublishAsync</c> exists (it answers an <c>EventAcceptance</c> that is <c>Busy</c> with a
/// <c>RetryAfter</c> when the routing backlog is over its bound), call it here and return <c>RetryAfter</c> when busy; the
/// receivers already stop receiving for that long and let the message come back then.
/// </remarks>
public sealed class IngressEventSink(IGrainFactory grains) : ISqsEventSink
{
    public async Task<TimeSpan?> RecordAsync(EventRecord record, CancellationToken cancellationToken)
    {
        await grains.GetGrain<IEventIngressGrain>(0).PublishAsync(record).WaitAsync(cancellationToken);
        return null;
    }
}
