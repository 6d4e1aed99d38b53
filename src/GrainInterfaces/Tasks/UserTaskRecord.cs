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

    /// <summary>The user (the token's <c>sub</c>) who created the row; null when the system created it.</summary>
    [Id(10)] public string? CreatedBy { get; init; }

    /// <summary>The user who last changed the row; null when the system changed it.</summary>
    [Id(11)] public string? ModifiedBy { get; init; }

    /// <summary>True once the row is deleted; deleted rows are kept but hidden from every read.</summary>
    [Id(12)] public bool Deleted { get; init; }

    [Id(13)] public DateTimeOffset? DeletedOn { get; init; }

    /// <summary>The user who deleted the row.</summary>
    [Id(14)] public string? DeletedBy { get; init; }

    /// <summary>The form completing the user task is checked against (from the BPMN element's <c>camunda:formData</c>); null when none.</summary>
    [Id(15)] public UserTaskForm? Form { get; init; }
}
