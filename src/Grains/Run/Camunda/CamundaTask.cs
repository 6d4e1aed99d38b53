namespace TaskService.Workflows.Camunda;

/// <summary>A user task (<c>TaskDto</c>).</summary>
public sealed record CamundaTask
{
    public required string Id { get; init; }

    public string? Name { get; init; }

    public string? Assignee { get; init; }

    public string? Owner { get; init; }

    public DateTimeOffset? Created { get; init; }

    public DateTimeOffset? Due { get; init; }

    public DateTimeOffset? FollowUp { get; init; }

    public string? Description { get; init; }

    public string? ExecutionId { get; init; }

    public string? ProcessDefinitionId { get; init; }

    public string? ProcessInstanceId { get; init; }

    public string? TaskDefinitionKey { get; init; }

    public int? Priority { get; init; }

    public bool? Suspended { get; init; }

    public string? FormKey { get; init; }

    public string? TenantId { get; init; }
}
