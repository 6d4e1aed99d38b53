namespace TaskService.Mappings;

/// <summary>Starts the workflow named by <see cref="WorkflowKey"/> whenever an event with <see cref="EventKey"/> arrives.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.EventWorkflowMapping")]
public sealed record EventWorkflowMapping
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string EventKey { get; init; }

    /// <summary>The BPMN process id of the workflow; its latest version runs.</summary>
    [Id(2)] public required string WorkflowKey { get; init; }

    [Id(3)] public DateTimeOffset CreatedOn { get; init; }
}
