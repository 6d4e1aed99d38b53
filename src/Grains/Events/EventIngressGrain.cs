using Orleans.Concurrency;
using Orleans.Runtime;
using TaskService.Storage;

namespace TaskService.Events;

/// <summary>
/// Takes events that arrive over HTTP or from an Orleans client: records each durably (once per id) before it answers, then
/// puts it on the event stream whose key is the event key, where the event router for that key starts its workflows. An event
/// recorded but lost before routing (a silo went down) is routed again by the <see cref="UnroutedEventSweeper"/>.
/// </summary>
[StatelessWorker]
public sealed class EventIngressGrain(ITaskServiceStore store) : Grain, IEventIngressGrain
{
    public async Task PublishAsync(EventRecord record)
    {
        if (await store.RecordEventAsync(record) == EventRecording.Routed)
        {
            return;
        }

        await this.GetStreamProvider(StreamNames.Provider)
            .GetStream<EventRecord>(StreamId.Create(StreamNames.IncomingEvents, record.Key))
            .OnNextAsync(record);
    }
}
