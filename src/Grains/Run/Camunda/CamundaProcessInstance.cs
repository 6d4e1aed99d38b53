namespace TaskService.Workflows.Camunda;

/// <summary>A running process instance (<c>ProcessInstanceDto</c>, or <c>ProcessInstanceWithVariablesDto</c> after a start).</summary>
public sealed record CamundaProcessInstance
{
    public required string Id { get; init; }

    public string? DefinitionId { get; init; }

    public string? BusinessKey { get; init; }

    public bool Ended { get; init; }

    public bool Suspended { get; init; }

    public string? TenantId { get; init; }

    public IReadOnlyDictionary<string, CamundaVariable>? Variables { get; init; }
}
