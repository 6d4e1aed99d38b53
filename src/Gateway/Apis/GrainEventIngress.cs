using TaskService.Events;

namespace TaskService.Gateway.Apis;

/// <summary>The ingress of a gateway outside the silos: a call to a silo's <see cref="IEventIngressGrain"/>.</summary>
public sealed class GrainEventIngress(IGrainFactory grains) : IEventIngress
{
    public Task<EventAcceptance> TryPublishAsync(EventRecord record) => grains.GetGrain<IEventIngressGrain>(0).TryPublishAsync(record);
}
