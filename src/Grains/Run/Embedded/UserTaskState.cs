namespace TaskService.Workflows.Embedded;

[GenerateSerializer, Alias("TaskService.Embedded.UserTaskState")]
public sealed class UserTaskState
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string ElementId { get; init; }

    [Id(2)] public required string TokenId { get; init; }

    [Id(3)] public string? Name { get; init; }

    [Id(4)] public string? Assignee { get; init; }

    [Id(5)] public IReadOnlyList<string>? CandidateGroups { get; init; }

    [Id(6)] public DateTimeOffset? DueDate { get; init; }

    [Id(7)] public bool Completed { get; set; }

    [Id(8)] public DateTimeOffset CreatedOn { get; init; }
}
