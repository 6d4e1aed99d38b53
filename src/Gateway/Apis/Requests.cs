using System.Text.Json;
using System.Text.Json.Serialization;
using TaskService.Gateway.Http;

namespace TaskService.Gateway.Apis;

/// <summary>Body of <c>POST /events/trigger</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventTriggerRequest(string? Key, JsonElement? Payload, string? Source, string? Description, string? Id = null) : IValidatableRequest
{
    public void Validate(RequestFieldChecks check)
    {
        check.Key(Key, "key");
        check.Json(Payload, "payload", check.Limits.MaxEventPayloadBytes);
        check.Name(Source, "source");
        check.FreeText(Description, "description");
        check.Key(Id, "id");
    }
}

/// <summary>Body of <c>POST /events/mapping</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventMappingRequest(string? EventKey, string? WorkflowKey) : IValidatableRequest
{
    public void Validate(RequestFieldChecks check)
    {
        check.Key(EventKey, "eventKey");
        check.Key(WorkflowKey, "workflowKey");
    }
}

/// <summary>Body of <c>POST /tasks/mapping</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record TaskMappingRequest(string? TaskKey, string? WorkflowKey) : IValidatableRequest
{
    public void Validate(RequestFieldChecks check)
    {
        check.Key(TaskKey, "taskKey");
        check.Key(WorkflowKey, "workflowKey");
    }
}

/// <summary>Body of <c>POST /client-apps</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ClientAppRequest(string? ClientName) : IValidatableRequest
{
    public void Validate(RequestFieldChecks check) => check.Name(ClientName, "clientName");
}

/// <summary>Body of <c>POST /webhooks/subscribe</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SubscribeRequest(string? Url, string? Key, string? Id = null) : IValidatableRequest
{
    public void Validate(RequestFieldChecks check)
    {
        check.Url(Url, "url");
        check.Key(Key, "key");
        check.Key(Id, "id");
    }
}

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
    string? Notes) : IValidatableRequest
{
    public void Validate(RequestFieldChecks check)
    {
        check.Name(Name, "name");
        check.FreeText(Description, "description");
        check.Name(Status, "status");
        check.Name(Priority, "priority");
        check.Name(Severity, "severity");
        check.Name(Type, "type");
        check.Key(AssigneeId, "assigneeId");
        check.Json(Metadata, "metadata", check.Limits.MaxJsonValueBytes);
        check.FreeText(Notes, "notes");
    }
}

/// <summary>Body of <c>PUT /tasks/{taskId}/user-tasks/{userTaskId}/assignee</c>: the new assignee, or null to clear it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AssigneeRequest(string? UserId) : IValidatableRequest
{
    public void Validate(RequestFieldChecks check) => check.Key(UserId, "userId");
}
