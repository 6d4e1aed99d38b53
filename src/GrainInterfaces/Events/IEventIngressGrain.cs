namespace TaskService.Events;

/// <summary>Entry point for events that arrive over HTTP or from an Orleans client: records them and hands them to the event router.</summary>
[Alias("TaskService.IEventIngressGrain")]
public interface IEventIngressGrain : IGrainWithIntegerKey
{
    /// <summary>Records the event and routes it, whatever the backlog (callers that can wait should use <see cref="TryPublishAsync"/>).</summary>
    [Alias("PublishAsync")]
    Task PublishAsync(EventRecord record);

    /// <summary>
    /// Records the event and routes it, unless the routing backlog is over its bound: then nothing is recorded and the answer says
    /// when to try again.
    /// </summary>
    [Alias("TryPublishAsync")]
    Task<EventAcceptance> TryPublishAsync(EventRecord record);
}
