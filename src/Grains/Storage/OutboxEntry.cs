using TaskService.Events;

namespace TaskService.Storage;

/// <summary>An outgoing event waiting in the outbox, by the order it was written in.</summary>
public sealed record OutboxEntry(long Sequence, OutgoingEvent Event);
