namespace TaskService.Workflows.Camunda;

/// <summary>The answer to a deployment (<c>DeploymentWithDefinitionsDto</c>).</summary>
public sealed record CamundaDeployment
{
    public required string Id { get; init; }

    public string? Name { get; init; }

    public string? Source { get; init; }

    public DateTimeOffset? DeploymentTime { get; init; }

    public string? TenantId { get; init; }

    /// <summary>The process definitions this deployment created, by id; null or empty when nothing changed.</summary>
    public IReadOnlyDictionary<string, CamundaProcessDefinition>? DeployedProcessDefinitions { get; init; }
}
