namespace TaskService.Workflows.Camunda;

/// <summary>A user or group linked to a user task (<c>IdentityLinkDto</c>), for example a candidate group.</summary>
public sealed record CamundaIdentityLink
{
    public string? UserId { get; init; }

    public string? GroupId { get; init; }

    public required string Type { get; init; }
}
