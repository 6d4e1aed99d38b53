namespace TaskService.Events;

/// <summary>
/// Whether an event was taken for routing, or refused because the routing backlog is over its bound (a refused event may be
/// sent again, with the same id, after <see cref="RetryAfter"/>), or because its id names another event (<see cref="Conflict"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.EventAcceptance")]
public sealed record EventAcceptance
{
    public static readonly EventAcceptance Accepted = new();

    /// <summary>True when the event was refused: too many events wait for routing.</summary>
    [Id(0)] public bool Busy { get; init; }

    /// <summary>How long a refused sender should wait before sending again.</summary>
    [Id(1)] public TimeSpan RetryAfter { get; init; }

    /// <summary>
    /// True when the event's id was recorded before for an event with other content: this one was not recorded. An id names
    /// one event; a sender repeating an event sends the same content.
    /// </summary>
    [Id(2)] public bool Conflict { get; init; }

    public static readonly EventAcceptance Conflicting = new() { Conflict = true };

    public static EventAcceptance Refused(TimeSpan retryAfter) => new() { Busy = true, RetryAfter = retryAfter };
}
