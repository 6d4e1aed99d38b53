using System.Text.Json;

namespace TaskService.Workflows.Camunda;

/// <summary>What TaskService knows of an instance it started in Camunda.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.Camunda.CamundaInstanceStart")]
public sealed record CamundaInstanceStart
{
    [Id(0)] public required string WorkflowId { get; init; }

    [Id(1)] public required string ProcessId { get; init; }

    [Id(2)] public int Version { get; init; }

    /// <summary>The variables it was started with, as one JSON object.</summary>
    [Id(3)] public JsonElement Variables { get; init; }
}
