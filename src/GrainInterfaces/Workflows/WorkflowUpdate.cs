using System.Text.Json;

namespace TaskService.Workflows;

/// <summary>Changes to a workflow; a changed <see cref="BpmnFile"/> deploys the next version. Null fields stay as they are, but for the two flags that clear.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.WorkflowUpdate")]
public sealed record WorkflowUpdate
{
    [Id(0)] public string? Name { get; init; }

    [Id(1)] public string? BpmnFile { get; init; }

    [Id(2)] public JsonElement? InputSchema { get; init; }

    [Id(3)] public string? Description { get; init; }

    /// <summary>The description is removed (PATCH gave it as null).</summary>
    [Id(4)] public bool ClearsDescription { get; init; }

    /// <summary>The input schema goes back to the default, any JSON object (PATCH gave it as null).</summary>
    [Id(5)] public bool ResetsInputSchema { get; init; }
}
