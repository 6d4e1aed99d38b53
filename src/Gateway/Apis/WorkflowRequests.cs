using System.Text.Json;
using System.Text.Json.Serialization;
using TaskService.Gateway.Http;

namespace TaskService.Gateway.Apis;

/// <summary>Body of <c>POST /workflows</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WorkflowRequest(string? Name, string? BpmnFile, JsonElement? InputSchema, string? Description) : IValidatableRequest
{
    public void Validate(RequestFieldChecks check)
    {
        check.Name(Name, "name");
        check.Document(BpmnFile, "bpmnFile", check.Limits.MaxBpmnBytes);
        check.Json(InputSchema, "inputSchema", check.Limits.MaxInputSchemaBytes);
        check.FreeText(Description, "description");
    }
}

/// <summary>Body of <c>POST /workflows/{id}/execute</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ExecuteWorkflowRequest(JsonElement? Input, int? WorkflowVersion) : IValidatableRequest
{
    public void Validate(RequestFieldChecks check) => check.Json(Input, "input", check.Limits.MaxEventPayloadBytes);
}

/// <summary>Optional body of the routes that complete something: variables to set on the instance.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record VariablesRequest(JsonElement? Variables) : IValidatableRequest
{
    public void Validate(RequestFieldChecks check) => check.Json(Variables, "variables", check.Limits.MaxEventPayloadBytes);
}
