using System.Text.Json;
using System.Text.Json.Serialization;
using TaskService.Errors;
using TaskService.Gateway.Http;

namespace TaskService.Gateway.Apis;

/// <summary>
/// Body of <c>POST /workflows</c> and <c>PATCH /workflows/{id}</c>. The original's WorkflowDto is not strict: it takes any
/// property and uses these four. Here the fields of its Workflow model (what a client that read a workflow sends back) are
/// accepted and ignored as well, and any other property is a 400 naming it (<see cref="OriginalModelFields"/>).
/// </summary>
public sealed record WorkflowRequest(string? Name, string? BpmnFile, JsonElement? InputSchema, string? Description) : IValidatableRequest
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Unmapped { get; init; }

    public Problem? Validate(RequestFieldChecks check) =>
        OriginalModelFields.Check(Unmapped, OriginalModelFields.Workflow)
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
