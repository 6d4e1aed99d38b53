using System.Text.Json;
using System.Text.Json.Serialization;
using TaskService.Errors;
using TaskService.Gateway.Http;

namespace TaskService.Gateway.Apis;

/// <summary>
/// Body of <c>POST /workflows</c> and <c>PATCH /workflows/{id}</c>. The original's WorkflowDto is not strict: it takes any
/// property and uses these four. Here the fields of its Workflow model (what a client that read a workflow sends back) are
/// accepted and ignored as well, and any other property is a 400 naming it (<see cref="OriginalModelFields"/>). On PATCH a
/// field given as null is cleared (<see cref="Nulls"/>): the description removed, the input schema back to the default.
/// </summary>
public sealed class WorkflowRequest : IValidatableRequest
{
    private readonly NullFields _nulls = new();

    public string? Name { get; init => field = _nulls.Note(value, "name"); }

    public string? BpmnFile { get; init => field = _nulls.Note(value, "bpmnFile"); }

    public JsonElement? InputSchema { get; init => field = _nulls.Note(value is { ValueKind: JsonValueKind.Null } ? null : value, "inputSchema"); }

    public string? Description { get; init => field = _nulls.Note(value, "description"); }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Unmapped { get; init; }

    /// <summary>The fields the body gives as null, by their JSON names: on PATCH, what to clear.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Nulls => _nulls.Names;

    public Problem? Validate(RequestFieldChecks check) =>
        OriginalModelFields.Check<WorkflowRequest>(Unmapped, OriginalModelFields.Workflow)
            ?? check.Name(Name, "name")
            ?? check.Document(BpmnFile, "bpmnFile", check.Limits.MaxBpmnBytes)
            ?? check.Json(InputSchema, "inputSchema", check.Limits.MaxInputSchemaBytes)
            ?? check.FreeText(Description, "description");
}

/// <summary>Body of <c>POST /workflows/{id}/execute</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ExecuteWorkflowRequest(JsonElement? Input, int? WorkflowVersion) : IValidatableRequest
{
    public Problem? Validate(RequestFieldChecks check) => check.Json(Input, "input", check.Limits.MaxEventPayloadBytes);
}

/// <summary>Optional body of the routes that complete something: variables to set on the instance.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record VariablesRequest(JsonElement? Variables) : IValidatableRequest
{
    public Problem? Validate(RequestFieldChecks check) => check.Json(Variables, "variables", check.Limits.MaxEventPayloadBytes);
}
