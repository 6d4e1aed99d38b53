namespace TaskService.Events;

/// <summary>
/// Where the HTTP API hands a triggered event: recorded, and meanwhile given to its key's router, unless the routing backlog
/// is full.
/// Inside a silo it is the silo's own ingress, called directly; a gateway that runs apart from the silos sends the event to
/// the <see cref="IEventIngressGrain"/> of one of them.
/// </summary>
public interface IEventIngress
{
    /// <summary>As <see cref="IEventIngressGrain.TryPublishAsync"/>.</summary>
    Task<EventAcceptance> TryPublishAsync(EventRecord record);
}
