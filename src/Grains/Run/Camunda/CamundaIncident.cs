namespace TaskService.Workflows.Camunda;

/// <summary>An incident (<c>IncidentDto</c>); for a failed external task, <see cref="Configuration"/> is the external task id.</summary>
public sealed record CamundaIncident
{
    public required string Id { get; init; }

    public string? ProcessInstanceId { get; init; }

    public string? IncidentType { get; init; }

    public string? ActivityId { get; init; }

    public string? Configuration { get; init; }

    public string? IncidentMessage { get; init; }

    public DateTimeOffset? IncidentTimestamp { get; init; }
}
