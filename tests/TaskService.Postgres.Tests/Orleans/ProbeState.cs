namespace TaskService.Postgres.Tests.Orleans;

[GenerateSerializer, Alias("TaskService.Postgres.Tests.ProbeState")]
public sealed class ProbeState
{
    [Id(0)]
    public string? Value { get; set; }
}
