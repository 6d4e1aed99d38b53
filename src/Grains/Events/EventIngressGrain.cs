using Orleans.Concurrency;
using Orleans.Runtime;

namespace TaskService.Events;

/// <summary>Puts incoming events on the event stream whose key is the event key; the event router for that key takes it from there.</summary>
[StatelessWorker]
public sealed class EventIngressGrain : Grain, IEventIngressGrain
{
    public Task PublishAsync(EventRecord record)
    {
        var stream = this.GetStreamProvider(StreamNames.Provider)
            .GetStream<EventRecord>(StreamId.Create(StreamNames.IncomingEvents, record.Key));
        return stream.OnNextAsync(record);
    }
}
