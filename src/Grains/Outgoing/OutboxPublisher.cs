using TaskService.Events;
using TaskService.Storage;

namespace TaskService.Outgoing;

/// <summary>
/// Publishes by writing to the outbox; the dispatcher delivers from there, at least once, after any crash. When this silo
/// dispatches, the entry is written already claimed and handed to this silo's dispatcher at once (pushed, not polled).
/// </summary>
public sealed class OutboxPublisher(ITaskServiceStore store, OutboxDispatcher dispatcher) : IOutgoingEventPublisher
{
    public async Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default)
    {
        if (dispatcher.Enabled)
        {
            dispatcher.Push(await store.AppendClaimedOutboxAsync([outgoingEvent], dispatcher.Lease, cancellationToken));
        }
        else
        {
            await store.AppendOutboxAsync([outgoingEvent], cancellationToken);
        }
    }
}
