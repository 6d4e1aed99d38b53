namespace TaskService.Events;

/// <summary>One per event key: records events idempotently and starts the workflows mapped to the key.</summary>
[Alias("TaskService.IEventRouterGrain")]
public interface IEventRouterGrain : IGrainWithStringKey
{
    /// <summary>Records the event (once per id) and starts its mapped workflows. Returns false for a repeated id.</summary>
    [Alias("RouteAsync")]
    Task<bool> RouteAsync(EventRecord record);
}
