namespace TaskService.Tasks;

/// <summary>A step of a task's own workflow that a person completes.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.UserTaskRecord")]
public sealed record UserTaskRecord
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string TaskId { get; init; }

    [Id(2)] public required string Name { get; init; }

    [Id(3)] public UserTaskStatus Status { get; init; }

    /// <summary>The id of the user task in the workflow engine.</summary>
    [Id(4)] public required string ExternalId { get; init; }

    [Id(5)] public string? Assignee { get; init; }

    [Id(6)] public IReadOnlyList<string>? CandidateGroups { get; init; }

    [Id(7)] public DateTimeOffset? DueDate { get; init; }

    [Id(8)] public DateTimeOffset CreatedOn { get; init; }

    [Id(9)] public DateTimeOffset ModifiedOn { get; init; }
}
