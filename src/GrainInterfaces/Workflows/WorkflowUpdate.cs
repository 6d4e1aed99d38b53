using System.Text.Json;

namespace TaskService.Workflows;

/// <summary>Changes to a workflow; a changed <see cref="BpmnFile"/> deploys the next version. Null fields stay as they are.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.WorkflowUpdate")]
public sealed record WorkflowUpdate
{
    [Id(0)] public string? Name { get; init; }

    [Id(1)] public string? BpmnFile { get; init; }

    [Id(2)] public JsonElement? InputSchema { get; init; }

    [Id(3)] public string? Description { get; init; }
}
