namespace TaskService.Workflows;

/// <summary>A user task of an instance, open or done.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.InstanceUserTask")]
public sealed record InstanceUserTask
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string ElementId { get; init; }

    [Id(2)] public string? Name { get; init; }

    [Id(3)] public string? Assignee { get; init; }

    [Id(4)] public IReadOnlyList<string>? CandidateGroups { get; init; }

    [Id(5)] public DateTimeOffset? DueDate { get; init; }

    [Id(6)] public bool Completed { get; init; }

    [Id(7)] public DateTimeOffset CreatedOn { get; init; }

    /// <summary>The form of the user task's BPMN element, when it declares one.</summary>
    [Id(8)] public TaskService.Tasks.UserTaskForm? Form { get; init; }
}
