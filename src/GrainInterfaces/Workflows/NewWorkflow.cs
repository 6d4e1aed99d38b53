using System.Text.Json;

namespace TaskService.Workflows;

/// <summary>A workflow to deploy as version 1.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.NewWorkflow")]
public sealed record NewWorkflow
{
    [Id(0)] public required string Name { get; init; }

    /// <summary>The BPMN 2.0 XML, as Camunda Modeler saves it.</summary>
    [Id(1)] public required string BpmnFile { get; init; }

    [Id(2)] public JsonElement InputSchema { get; init; }

    [Id(3)] public string? Description { get; init; }
}
