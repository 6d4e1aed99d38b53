namespace TaskService.Workflows;

/// <summary>A failure the engine stopped at; an operator fixes the cause and retries it.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.Incident")]
public sealed record Incident
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string ElementId { get; init; }

    /// <summary>The external task that failed, for a failed command.</summary>
    [Id(2)] public string? ExternalTaskId { get; init; }

    [Id(3)] public required string Message { get; init; }

    /// <summary>More about the failure, such as the exception's type and stack trace.</summary>
    [Id(4)] public string? Details { get; init; }

    [Id(5)] public DateTimeOffset CreatedOn { get; init; }
}
