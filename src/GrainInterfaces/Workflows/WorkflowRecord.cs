using System.Text.Json;

namespace TaskService.Workflows;

/// <summary>A deployed workflow: a BPMN process and its versions.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.WorkflowRecord")]
public sealed record WorkflowRecord
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string Name { get; init; }

    [Id(2)] public string? Description { get; init; }

    /// <summary>The BPMN process id: the <c>workflowKey</c> event and task mappings name.</summary>
    [Id(3)] public required string ExternalIdentifier { get; init; }

    /// <summary>The engine that runs it: <c>embedded</c> or <c>camunda</c>.</summary>
    [Id(4)] public required string Provider { get; init; }

    /// <summary>The latest version, which new instances run unless told otherwise.</summary>
    [Id(5)] public int WorkflowVersion { get; init; }

    /// <summary>JSON Schema that the input of <c>POST /workflows/{id}/execute</c> must satisfy.</summary>
    [Id(6)] public JsonElement InputSchema { get; init; }

    [Id(7)] public DateTimeOffset CreatedOn { get; init; }

    [Id(8)] public DateTimeOffset ModifiedOn { get; init; }

    /// <summary>The user (the token's <c>sub</c>) who created the workflow.</summary>
    [Id(9)] public string? CreatedBy { get; init; }

    /// <summary>The user who last changed the workflow.</summary>
    [Id(10)] public string? ModifiedBy { get; init; }

    /// <summary>True once the workflow is deleted; deleted workflows are kept but hidden from every read.</summary>
    [Id(11)] public bool Deleted { get; init; }

    [Id(12)] public DateTimeOffset? DeletedOn { get; init; }

    /// <summary>The user who deleted the workflow.</summary>
    [Id(13)] public string? DeletedBy { get; init; }
}
