namespace TaskService.Mappings;

/// <summary>Runs the workflow named by <see cref="WorkflowKey"/> for every task whose key is <see cref="TaskKey"/>.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.TaskWorkflowMapping")]
public sealed record TaskWorkflowMapping
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string TaskKey { get; init; }

    /// <summary>The BPMN process id of the workflow; its latest version runs.</summary>
    [Id(2)] public required string WorkflowKey { get; init; }

    [Id(3)] public DateTimeOffset CreatedOn { get; init; }

    [Id(4)] public DateTimeOffset ModifiedOn { get; init; }

    /// <summary>The user (the token's <c>sub</c>) who created the mapping.</summary>
    [Id(5)] public string? CreatedBy { get; init; }

    [Id(6)] public string? ModifiedBy { get; init; }

    /// <summary>
    /// True once the mapping is deleted. A deleted mapping is kept but hidden from every read and no longer starts workflows;
    /// its keys are free for a new mapping.
    /// </summary>
    [Id(7)] public bool Deleted { get; init; }

    [Id(8)] public DateTimeOffset? DeletedOn { get; init; }

    [Id(9)] public string? DeletedBy { get; init; }
}
