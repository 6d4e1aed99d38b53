using TaskService.Events;
using TaskService.Storage;

namespace TaskService.Outgoing;

/// <summary>Publishes by writing to the outbox; the dispatcher delivers from there, at least once, after any crash.</summary>
public sealed class OutboxPublisher(ITaskServiceStore store, OutboxDispatcher dispatcher) : IOutgoingEventPublisher
{
    public async Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default)
    {
        await store.AppendOutboxAsync([outgoingEvent], cancellationToken);
        dispatcher.Notify();
    }
}
