using System.Text.Json;

namespace TaskService.Workflows;

/// <summary>One deployed version of a workflow's BPMN file.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.WorkflowVersionRecord")]
public sealed record WorkflowVersionRecord
{
    [Id(0)] public required string WorkflowId { get; init; }

    [Id(1)] public int Version { get; init; }

    [Id(2)] public required string BpmnDiagram { get; init; }

    /// <summary>The engine's id of this version's process definition.</summary>
    [Id(3)] public required string ExternalWorkflowId { get; init; }

    [Id(4)] public JsonElement InputSchema { get; init; }

    [Id(5)] public DateTimeOffset CreatedOn { get; init; }
}
