namespace TaskService.Workflows.Camunda;

/// <summary>Reports a failed external task (<c>ExternalTaskFailureDto</c>); with <see cref="Retries"/> 0 the engine raises an incident.</summary>
public sealed record CamundaExternalTaskFailure
{
    public required string WorkerId { get; init; }

    public string? ErrorMessage { get; init; }

    public string? ErrorDetails { get; init; }

    public required int Retries { get; init; }

    /// <summary>Milliseconds before the task can be fetched again.</summary>
    public required long RetryTimeout { get; init; }
}
