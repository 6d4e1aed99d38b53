namespace TaskService.Workflows.Camunda;

/// <summary>
/// What reading the variables of an instance found: its <see cref="Variables"/> while it runs; else null, with what history
/// keeps of the ended instance (null when history does not know it).
/// </summary>
public sealed record CamundaVariablesRead(IReadOnlyDictionary<string, CamundaVariable>? Variables, CamundaHistoricProcessInstance? Ended)
{
    public bool IsRunning => Variables is not null;
}
