using TaskService.Events;

namespace TaskService.Outgoing;

/// <summary>Publishes a lifecycle event to every configured outgoing connector.</summary>
public interface IOutgoingEventPublisher
{
    Task PublishAsync(OutgoingEvent outgoingEvent, CancellationToken cancellationToken = default);
}
