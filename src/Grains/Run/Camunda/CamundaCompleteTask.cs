namespace TaskService.Workflows.Camunda;

/// <summary>Completes a user task (<c>CompleteTaskDto</c>).</summary>
public sealed record CamundaCompleteTask
{
    public IReadOnlyDictionary<string, CamundaVariable>? Variables { get; init; }

    public bool? WithVariablesInReturn { get; init; }
}
