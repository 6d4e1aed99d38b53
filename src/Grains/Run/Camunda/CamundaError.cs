namespace TaskService.Workflows.Camunda;

/// <summary>An engine-rest error body (<c>ExceptionDto</c>); newer engines add <see cref="Code"/>.</summary>
public sealed record CamundaError
{
    public string? Type { get; init; }

    public string? Message { get; init; }

    public int? Code { get; init; }
}
