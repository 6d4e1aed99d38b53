using System.Text.Json;
using System.Text.Json.Serialization;

namespace TaskService.Gateway.Apis;

/// <summary>Body of <c>POST /events/trigger</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventTriggerRequest(string? Key, JsonElement? Payload, string? Source, string? Description, string? Id = null);

/// <summary>Body of <c>POST /events/mapping</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventMappingRequest(string? EventKey, string? WorkflowKey);

/// <summary>Body of <c>POST /tasks/mapping</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TaskMappingRequest(string? TaskKey, string? WorkflowKey);

/// <summary>Body of <c>POST /client-apps</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ClientAppRequest(string? ClientName);

/// <summary>Body of <c>POST /webhooks/subscribe</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SubscribeRequest(string? Url, string? Key, string? Id = null);

/// <summary>Body of <c>PATCH /tasks</c>: the fields to change.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TaskPatchRequest(
    string? Name,
    string? Description,
    string? Status,
    string? Priority,
    string? Severity,
    string? Type,
    string? AssigneeId,
    DateTimeOffset? StartDate,
    DateTimeOffset? DueDate,
    JsonElement? Metadata,
    string? Notes);
