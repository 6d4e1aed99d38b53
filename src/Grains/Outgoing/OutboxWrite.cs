using TaskService.Events;
using TaskService.Webhooks;

namespace TaskService.Outgoing;

/// <summary>
/// How a write appends outgoing events to the outbox (made by <see cref="OutboxDispatcher.PrepareAsync"/>): claimed for this
/// silo's dispatcher or not, and the webhook delivery rows to append in the same transaction.
/// </summary>
/// <param name="Events">The events to append.</param>
/// <param name="ClaimFor">The claim to write them with, for this silo's dispatcher; null when it does not dispatch.</param>
/// <param name="Deliveries">
/// Their webhook delivery rows, to append with them (see <see cref="Storage.ITaskServiceStore.AppendClaimedOutboxAsync"/>); null
/// when they are not claimed or no webhook connector runs here.
/// </param>
public sealed record OutboxWrite(IReadOnlyList<OutgoingEvent> Events, TimeSpan? ClaimFor, IReadOnlyList<QueuedDelivery>? Deliveries)
{
    /// <summary>
    /// Whether the events are written dispatched: their <see cref="Deliveries"/> are all there is to hand them over (see
    /// <see cref="Storage.ITaskServiceStore.AppendClaimedOutboxAsync"/>).
    /// </summary>
    public bool Dispatched { get; init; }

    /// <summary>A write without outgoing events.</summary>
    public static OutboxWrite None { get; } = new([], null, null);
}
