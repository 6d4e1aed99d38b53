namespace TaskService.Storage;

/// <summary>Outbox entries not yet handed to every connector: how many, and when the oldest was written (null when none).</summary>
public sealed record OutboxBacklog(long Count, DateTimeOffset? OldestCreatedOn)
{
    public static OutboxBacklog Empty { get; } = new(0, null);
}
