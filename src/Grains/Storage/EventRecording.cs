namespace TaskService.Storage;

/// <summary>What recording an event found.</summary>
public enum EventRecording
{
    /// <summary>The event was not known: it is recorded now.</summary>
    New,

    /// <summary>The event was recorded before, but its workflows were not started yet.</summary>
    Unrouted,

    /// <summary>The event was recorded and routed before: a duplicate.</summary>
    Routed,

    /// <summary>
    /// The id was recorded before for an event with other content (key, payload, source or description): this one is not
    /// recorded, and must not be routed as if it were.
    /// </summary>
    Conflict,
}
