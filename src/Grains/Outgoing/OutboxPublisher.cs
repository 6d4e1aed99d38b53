using TaskService.Events;
using TaskService.Storage;

namespace TaskService.Outgoing;

/// <summary>
/// Publishes by writing to the outbox; the dispatcher delivers from there, at least once, after any crash. When this silo
/// dispatches, the entry is written already claimed, with its webhook delivery rows, and handed to this silo's dispatcher at
/// once (pushed, not polled).
/// </summary>
public sealed class OutboxPublisher(ITaskServiceStore store, OutboxDispatcher dispatcher) : IOutgoingEventPublisher
{
    public async Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default)
    {
        var write = await dispatcher.PrepareAsync([outgoingEvent], cancellationToken);
        if (write.ClaimFor is { } lease)
        {
            dispatcher.Written(write, await store.AppendClaimedOutboxAsync(write.Events, lease, write.Deliveries, write.Dispatched, cancellationToken));
        }
        else
        {
            await store.AppendOutboxAsync(write.Events, cancellationToken);
        }
    }
}
