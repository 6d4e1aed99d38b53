namespace TaskService.Events;

/// <summary>One per event key: starts the workflows mapped to the key for each event, many events at once.</summary>
[Alias("TaskService.IEventRouterGrain")]
public interface IEventRouterGrain : IGrainWithStringKey
{
    /// <summary>Records the event (once per id) and starts its mapped workflows. Returns false for a repeated id.</summary>
    [Alias("RouteAsync")]
    Task<bool> RouteAsync(EventRecord record);

    /// <summary>
    /// Takes an event that is recorded already and starts its mapped workflows in the background; answers at once. Refuses (busy)
    /// when <paramref name="force"/> is false and the backlog of this silo's routers is over its bound.
    /// </summary>
    [Alias("AcceptAsync")]
    Task<EventAcceptance> AcceptAsync(EventRecord record, bool force);

    /// <summary>
    /// Takes an event whose record the caller is writing meanwhile, and starts its mapped workflows in the background; answers
    /// at once. The event is noted as routed only once it is recorded: a router on the caller's silo waits for the caller's
    /// write, one elsewhere records the event too (once per id, so the two writes make one record). Refuses (busy) when
    /// <paramref name="force"/> is false and the backlog of this silo's routers is over its bound.
    /// </summary>
    [Alias("AcceptWhileRecordedAsync")]
    Task<EventAcceptance> AcceptWhileRecordedAsync(EventRecord record, bool force);
}
