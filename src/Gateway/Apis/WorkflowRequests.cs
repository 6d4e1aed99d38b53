using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskService.Gateway.Apis;

/// <summary>Body of <c>POST /workflows</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record WorkflowRequest(string? Name, string? BpmnFile, JsonElement? InputSchema, string? Description);

/// <summary>Body of <c>POST /workflows/{id}/execute</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ExecuteWorkflowRequest(JsonElement? Input, int? WorkflowVersion);

/// <summary>Optional body of the routes that complete something: variables to set on the instance.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record VariablesRequest(JsonElement? Variables);
