namespace TaskService.Workflows.Camunda;

/// <summary>Sets the retries of an external task (<c>RetriesDto</c>); more than 0 resolves its incident.</summary>
public sealed record CamundaRetries
{
    public required int Retries { get; init; }
}
