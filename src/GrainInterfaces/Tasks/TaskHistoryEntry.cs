namespace TaskService.Tasks;

/// <summary>
/// One change of a task or of one of its user tasks, written in the same transaction as the change itself.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.TaskHistoryEntry")]
public sealed record TaskHistoryEntry
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string TaskId { get; init; }

    /// <summary>The user task the change is about; null for a change of the task itself.</summary>
    [Id(2)] public string? UserTaskId { get; init; }

    /// <summary>What happened: one of <see cref="TaskHistoryActions"/>.</summary>
    [Id(3)] public required string Action { get; init; }

    /// <summary>The fields that changed, each with its value before and after.</summary>
    [Id(4)] public IReadOnlyList<TaskFieldChange>? Changes { get; init; }

    /// <summary>Who made the change: the token's <c>sub</c>; <c>workflow</c> for changes the workflow engine made; <c>system</c> otherwise.</summary>
    [Id(5)] public required string By { get; init; }

    [Id(6)] public DateTimeOffset On { get; init; }

    /// <summary>The place of the entry among the entries of the same change (0, 1, ...): their order when <see cref="On"/> is equal.</summary>
    [Id(7)] public int Position { get; init; }
}
