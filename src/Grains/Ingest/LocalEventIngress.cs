using Microsoft.Extensions.Options;
using TaskService.Storage;

namespace TaskService.Events;

/// <summary>
/// The ingress of one silo: records each event durably (once per id) before it answers, and meanwhile hands it to the event
/// router of its key, which starts its workflows in the background and notes it as routed once the record is committed. An
/// event recorded but lost before routing (a silo went down) is routed again by the <see cref="UnroutedEventSweeper"/>. Over
/// this silo's backlog bound a new event is refused before anything is written, so the sender can retry later with the same
/// id. The silo's HTTP API calls it directly; Orleans clients reach it through <see cref="EventIngressGrain"/>.
/// </summary>
public sealed class LocalEventIngress(
    ITaskServiceStore store,
    EventsBeingRecorded recordings,
    RoutingBacklog backlog,
    IOptions<EventRoutingOptions> options,
    IGrainFactory grains) : IEventIngress
{
    public Task<EventAcceptance> TryPublishAsync(EventRecord record) => PublishAsync(record, force: false);

    /// <summary>Records and hands over the event; with <paramref name="force"/>, whatever the backlog.</summary>
    public async Task<EventAcceptance> PublishAsync(EventRecord record, bool force)
    {
        // This silo's backlog is checked before the write; the router's silo checks its own when the event reaches it.
        if (!force && backlog.IsFull)
        {
            EventRoutingInstruments.EventsRefused.Add(1);
            return EventAcceptance.Refused(options.Value.RetryAfter);
        }

        // The record's commit is not a step on the way to the workflows: the router starts them while it is written.
        var recording = store.RecordEventAsync(record);
        recordings.Add(record.Id, recording);
        try
        {
            // The answer waits for the record whatever the router said. Refused by a full router, the event is recorded and not
            // routed: the sender's retry (same id) routes it, and so does the sweeper if no retry comes.
            var handing = grains.GetGrain<IEventRouterGrain>(record.Key).AcceptWhileRecordedAsync(record, force);
            await Task.WhenAll(handing, recording);
            return recording.Result == EventRecording.Conflict ? EventAcceptance.Conflicting : handing.Result;
        }
        finally
        {
            recordings.Remove(record.Id, recording);
        }
    }
}
