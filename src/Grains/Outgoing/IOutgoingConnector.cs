using TaskService.Events;

namespace TaskService.Outgoing;

/// <summary>Sends outgoing events somewhere (webhooks, Kafka). Connectors are configured independently of incoming ones.</summary>
public interface IOutgoingConnector
{
    string Name { get; }

    /// <summary>Hands the event over for delivery. Returns once the event is safely queued, not once it is delivered.</summary>
    Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default);
}
