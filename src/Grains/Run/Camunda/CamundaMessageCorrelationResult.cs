namespace TaskService.Workflows.Camunda;

/// <summary>What a correlated message reached (<c>MessageCorrelationResultWithVariableDto</c>).</summary>
public sealed record CamundaMessageCorrelationResult
{
    /// <summary><c>Execution</c> or <c>ProcessDefinition</c>.</summary>
    public string? ResultType { get; init; }

    public CamundaProcessInstance? ProcessInstance { get; init; }
}
