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
}
