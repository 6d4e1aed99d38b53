namespace TaskService.Workflows.Camunda;

/// <summary>Fetches and locks external tasks (<c>FetchExternalTasksDto</c>).</summary>
public sealed record CamundaFetchRequest
{
    public required string WorkerId { get; init; }

    public required int MaxTasks { get; init; }

    public bool? UsePriority { get; init; }

    /// <summary>Long polling: how long the engine may hold the request while no task is available, in milliseconds.</summary>
    public long? AsyncResponseTimeout { get; init; }

    public required IReadOnlyList<CamundaFetchTopic> Topics { get; init; }
}
