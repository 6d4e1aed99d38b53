namespace TaskService.Workflows;

/// <summary>The queryable row of a workflow instance.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.WorkflowInstanceSummary")]
public sealed record WorkflowInstanceSummary
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string WorkflowId { get; init; }

    /// <summary>The BPMN process id.</summary>
    [Id(2)] public required string ProcessId { get; init; }

    [Id(3)] public int Version { get; init; }

    [Id(4)] public WorkflowInstanceStatus Status { get; init; }

    /// <summary>Open incidents: failures that wait for an operator.</summary>
    [Id(5)] public int Incidents { get; init; }

    [Id(6)] public DateTimeOffset CreatedOn { get; init; }

    [Id(7)] public DateTimeOffset ModifiedOn { get; init; }

    [Id(8)] public DateTimeOffset? EndedOn { get; init; }
}
