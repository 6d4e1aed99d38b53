using Microsoft.Extensions.Options;
using Orleans.Concurrency;
using TaskService.Storage;

namespace TaskService.Events;

/// <summary>
/// Takes events that arrive over HTTP or from an Orleans client: records each durably (once per id) before it answers, then
/// hands it to the event router of its key, which routes it in the background. An event recorded but lost before routing (a
/// silo went down) is routed again by the <see cref="UnroutedEventSweeper"/>. Over the backlog bound a new event is refused
/// before anything is written, so the sender can retry later with the same id. Each call waits for one database commit, so a
/// silo keeps many activations (not one per core): concurrent triggers commit together instead of queueing one by one.
/// </summary>
[StatelessWorker(EventIngressGrain.MaxLocalWorkers)]
public sealed class EventIngressGrain(ITaskServiceStore store, RoutingBacklog backlog, IOptions<EventRoutingOptions> options)
    : Grain, IEventIngressGrain
{
    internal const int MaxLocalWorkers = 64;

    public Task PublishAsync(EventRecord record) => PublishCoreAsync(record, force: true);

    public Task<EventAcceptance> TryPublishAsync(EventRecord record) => PublishCoreAsync(record, force: false);

    private async Task<EventAcceptance> PublishCoreAsync(EventRecord record, bool force)
    {
        // This silo's backlog is checked before the write; the router's silo checks its own when the event reaches it.
        if (!force && backlog.IsFull)
        {
            EventRoutingInstruments.EventsRefused.Add(1);
            return EventAcceptance.Refused(options.Value.RetryAfter);
        }

        if (await store.RecordEventAsync(record) == EventRecording.Routed)
        {
            return EventAcceptance.Accepted;
        }

        // Refused by a full router: the event is recorded and not routed; the sender's retry (same id) routes it, and so does
        // the sweeper if no retry comes.
        return await GrainFactory.GetGrain<IEventRouterGrain>(record.Key).AcceptAsync(record, force);
    }
}
