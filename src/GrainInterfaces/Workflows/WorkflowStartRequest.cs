using System.Text.Json;

namespace TaskService.Workflows;

/// <summary>What an instance starts with.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.WorkflowStartRequest")]
public sealed record WorkflowStartRequest
{
    [Id(0)] public required string WorkflowId { get; init; }

    [Id(1)] public int Version { get; init; }

    /// <summary>A JSON object whose properties become the instance's variables.</summary>
    [Id(2)] public JsonElement Variables { get; init; }
}
