namespace TaskService.Workflows.Camunda;

/// <summary>An external task: as fetchAndLock locked it (<c>LockedExternalTaskDto</c>) or as a query lists it (<c>ExternalTaskDto</c>).</summary>
public sealed record CamundaExternalTask
{
    public required string Id { get; init; }

    public string? TopicName { get; init; }

    public string? WorkerId { get; init; }

    public string? ProcessInstanceId { get; init; }

    public string? ProcessDefinitionId { get; init; }

    public string? ProcessDefinitionKey { get; init; }

    public string? ActivityId { get; init; }

    public string? ActivityInstanceId { get; init; }

    public string? ExecutionId { get; init; }

    public string? BusinessKey { get; init; }

    /// <summary>Retries left; null until a failure was reported.</summary>
    public int? Retries { get; init; }

    public string? ErrorMessage { get; init; }

    public string? ErrorDetails { get; init; }

    public DateTimeOffset? LockExpirationTime { get; init; }

    public long? Priority { get; init; }

    public string? TenantId { get; init; }

    public bool? Suspended { get; init; }

    public IReadOnlyDictionary<string, CamundaVariable>? Variables { get; init; }
}
