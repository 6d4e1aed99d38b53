namespace TaskService.Workflows;

/// <summary>An external task of an instance: a step waiting for the command registered for its topic.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.InstanceExternalTask")]
public sealed record InstanceExternalTask
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string ElementId { get; init; }

    [Id(2)] public required string Topic { get; init; }

    /// <summary>Failed attempts so far.</summary>
    [Id(3)] public int Failures { get; init; }

    /// <summary>When the next attempt runs; null while no command is registered for the topic or while an incident is open.</summary>
    [Id(4)] public DateTimeOffset? NextAttemptAt { get; init; }

    /// <summary>The last failure's message, if any.</summary>
    [Id(5)] public string? LastError { get; init; }

    /// <summary>False when no command is registered for the topic in this cluster: the task waits, as in Camunda.</summary>
    [Id(6)] public bool HasCommand { get; init; }
}
