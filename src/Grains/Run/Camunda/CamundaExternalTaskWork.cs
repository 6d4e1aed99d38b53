using System.Text.Json;

namespace TaskService.Workflows.Camunda;

/// <summary>What a fetched external task asks a command to do.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.Camunda.CamundaExternalTaskWork")]
public sealed record CamundaExternalTaskWork
{
    [Id(0)] public required string Topic { get; init; }

    [Id(1)] public required string ProcessInstanceId { get; init; }

    /// <summary>The instance's variables as the engine delivered them, as plain JSON.</summary>
    [Id(2)] public required IReadOnlyDictionary<string, JsonElement> Variables { get; init; }
}
