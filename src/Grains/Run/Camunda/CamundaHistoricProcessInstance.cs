namespace TaskService.Workflows.Camunda;

/// <summary>A process instance as history keeps it, running or ended (<c>HistoricProcessInstanceDto</c>).</summary>
public sealed record CamundaHistoricProcessInstance
{
    public required string Id { get; init; }

    public string? BusinessKey { get; init; }

    public string? ProcessDefinitionId { get; init; }

    public string? ProcessDefinitionKey { get; init; }

    public int? ProcessDefinitionVersion { get; init; }

    public DateTimeOffset? StartTime { get; init; }

    public DateTimeOffset? EndTime { get; init; }

    public string? DeleteReason { get; init; }

    /// <summary><c>ACTIVE</c>, <c>SUSPENDED</c>, <c>COMPLETED</c>, <c>EXTERNALLY_TERMINATED</c> or <c>INTERNALLY_TERMINATED</c>.</summary>
    public string? State { get; init; }
}
