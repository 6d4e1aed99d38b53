namespace TaskService.Events;

/// <summary>
/// An event on the <see cref="StreamNames.IncomingEvents"/> stream of its key, and whether the connector that read it recorded it
/// already. A connector records what it reads many at a time (one group commit for a whole read), so the event router only
/// records the events whose recording failed there; their failure is then the delivery's, which the stream retries.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.StreamedEvent")]
public sealed record StreamedEvent
{
    [Id(0)] public required EventRecord Record { get; init; }

    /// <summary>True when the event is durably recorded (once per id) before it was put on the stream.</summary>
    [Id(1)] public bool Recorded { get; init; }

    /// <summary>
    /// For an event not <see cref="Recorded"/>: the id to record it under when an earlier event of other content holds its own id.
    /// A Kafka message's offset id can belong to an earlier life of its topic (deleted and created again); this is then the
    /// offset id with the message's timestamp, as the connector records it.
    /// </summary>
    [Id(2)] public string? FallbackId { get; init; }
}
