namespace TaskService.Events;

/// <summary>Entry point for events that arrive over HTTP or from an Orleans client: puts them on the event stream.</summary>
[Alias("TaskService.IEventIngressGrain")]
public interface IEventIngressGrain : IGrainWithIntegerKey
{
    [Alias("PublishAsync")]
    Task PublishAsync(EventRecord record);
}
