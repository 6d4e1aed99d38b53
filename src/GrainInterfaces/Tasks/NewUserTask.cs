namespace TaskService.Tasks;

/// <summary>A pending user task that the task's workflow instance reached.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.NewUserTask")]
public sealed record NewUserTask
{
    [Id(0)] public required string ExternalId { get; init; }

    [Id(1)] public required string Name { get; init; }

    [Id(2)] public string? Assignee { get; init; }

    [Id(3)] public IReadOnlyList<string>? CandidateGroups { get; init; }

    [Id(4)] public DateTimeOffset? DueDate { get; init; }

    /// <summary>The form completing the user task is checked against, when its BPMN element declares one.</summary>
    [Id(5)] public UserTaskForm? Form { get; init; }
}
