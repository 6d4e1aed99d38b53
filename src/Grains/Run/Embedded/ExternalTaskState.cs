namespace TaskService.Workflows.Embedded;

/// <summary>An open external task: a token waits at <see cref="ElementId"/> for the command of <see cref="Topic"/>.</summary>
[GenerateSerializer, Alias("TaskService.Embedded.ExternalTaskState")]
public sealed class ExternalTaskState
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string ElementId { get; init; }

    [Id(2)] public required string Topic { get; init; }

    [Id(3)] public required string TokenId { get; init; }

    [Id(4)] public int Failures { get; set; }

    /// <summary>When the command runs next; null while an incident is open.</summary>
    [Id(5)] public DateTimeOffset? NextAttemptAt { get; set; }

    [Id(6)] public string? LastError { get; set; }
}
