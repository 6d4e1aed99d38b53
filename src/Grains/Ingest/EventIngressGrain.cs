using Orleans.Concurrency;

namespace TaskService.Events;

/// <summary>
/// Takes events from Orleans clients (and from a gateway that runs apart from the silos): <see cref="LocalEventIngress"/>, in the
/// silo that got the call. The HTTP API of a silo calls that ingress directly, without this grain.
/// Each call waits for one database commit, so a silo keeps many activations (not one per core): concurrent calls commit
/// together instead of queueing one by one.
/// </summary>
[StatelessWorker(EventIngressGrain.MaxLocalWorkers)]
public sealed class EventIngressGrain(LocalEventIngress ingress) : Grain, IEventIngressGrain
{
    internal const int MaxLocalWorkers = 64;

    public Task PublishAsync(EventRecord record) => ingress.PublishAsync(record, force: true);

    public Task<EventAcceptance> TryPublishAsync(EventRecord record) => ingress.PublishAsync(record, force: false);
}
