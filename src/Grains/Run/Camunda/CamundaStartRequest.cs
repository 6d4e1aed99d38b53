namespace TaskService.Workflows.Camunda;

/// <summary>Starts a process instance (<c>StartProcessInstanceDto</c>).</summary>
public sealed record CamundaStartRequest
{
    public string? BusinessKey { get; init; }

    public IReadOnlyDictionary<string, CamundaVariable>? Variables { get; init; }

    public bool? WithVariablesInReturn { get; init; }
}
