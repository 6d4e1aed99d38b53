using TaskService.Events;

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
}
