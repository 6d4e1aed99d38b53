using TaskService.Events;
using TaskService.Storage;

namespace TaskService.Outgoing;

/// <summary>Sends outgoing events somewhere (webhooks, Kafka). Connectors are configured independently of incoming ones.</summary>
public interface IOutgoingConnector
{
    string Name { get; }

    /// <summary>Hands the event over for delivery. Returns once the event is safely queued, not once it is delivered.</summary>
    Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default);

    /// <summary>
    /// Hands several events over, in the given order (the order they were produced). Returns once all are safely queued; when it
    /// fails, none counts as handed over (handing one over twice is harmless: receivers deduplicate on the event id).
    /// </summary>
    async Task PublishManyAsync(IReadOnlyList<OutgoingEvent> outgoingEvents, CancellationToken cancellationToken = default)
    {
        foreach (var outgoingEvent in outgoingEvents)
        {
            await PublishAsync(outgoingEvent, cancellationToken);
        }
    }

    /// <summary>
    /// Hands outbox entries over, as <see cref="PublishManyAsync"/> hands their events. An entry may carry what was done for this
    /// connector in the transaction that wrote it (<see cref="OutboxEntry.Deliveries"/>, for webhooks); a connector that does
    /// nothing at write time publishes the events.
    /// </summary>
    Task PublishEntriesAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken cancellationToken = default) =>
        PublishManyAsync([.. entries.Select(e => e.Event)], cancellationToken);
}
