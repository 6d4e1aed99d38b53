namespace TaskService.Workflows.Camunda;

/// <summary>A deployed process definition (<c>ProcessDefinitionDto</c>).</summary>
public sealed record CamundaProcessDefinition
{
    public required string Id { get; init; }

    public required string Key { get; init; }

    public string? Name { get; init; }

    public int Version { get; init; }

    public string? DeploymentId { get; init; }

    public string? Resource { get; init; }

    public string? VersionTag { get; init; }

    public string? TenantId { get; init; }

    public bool Suspended { get; init; }
}
