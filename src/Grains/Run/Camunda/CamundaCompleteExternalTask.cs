namespace TaskService.Workflows.Camunda;

/// <summary>Completes a locked external task (<c>CompleteExternalTaskDto</c>).</summary>
public sealed record CamundaCompleteExternalTask
{
    public required string WorkerId { get; init; }

    public IReadOnlyDictionary<string, CamundaVariable>? Variables { get; init; }

    public IReadOnlyDictionary<string, CamundaVariable>? LocalVariables { get; init; }
}
