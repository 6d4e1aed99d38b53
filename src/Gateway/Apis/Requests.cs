using System.Text.Json;
using System.Text.Json.Serialization;
using TaskService.Errors;
using TaskService.Gateway.Http;

namespace TaskService.Gateway.Apis;

/// <summary>Body of <c>POST /events/trigger</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record EventTriggerRequest(string? Key, JsonElement? Payload, string? Source, string? Description, string? Id = null) : IValidatableRequest
{
    public Problem? Validate(RequestFieldChecks check) =>
        check.Key(Key, "key")
            ?? check.Json(Payload, "payload", check.Limits.MaxEventPayloadBytes)
            ?? check.Name(Source, "source")
            ?? check.FreeText(Description, "description")
            ?? check.Key(Id, "id");
}

/// <summary>Body of <c>POST /events/mapping</c>.</summary>
/// <remarks>The id and audit fields of the original's model are accepted and ignored (<see cref="OriginalModelFields"/>).</remarks>
public sealed record EventMappingRequest(string? EventKey, string? WorkflowKey) : IValidatableRequest
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Unmapped { get; init; }

    public Problem? Validate(RequestFieldChecks check) =>
        OriginalModelFields.Check<EventMappingRequest>(Unmapped, OriginalModelFields.Audit)
            ?? check.Key(EventKey, "eventKey")
            ?? check.Key(WorkflowKey, "workflowKey");
}

/// <summary>Body of <c>POST /tasks/mapping</c>.</summary>
/// <remarks>The id and audit fields of the original's model are accepted and ignored (<see cref="OriginalModelFields"/>).</remarks>
public sealed record TaskMappingRequest(string? TaskKey, string? WorkflowKey) : IValidatableRequest
{
    [JsonExtensionData] public Dictionary<string, JsonElement>? Unmapped { get; init; }

    public Problem? Validate(RequestFieldChecks check) =>
        OriginalModelFields.Check<TaskMappingRequest>(Unmapped, OriginalModelFields.Audit)
            ?? check.Key(TaskKey, "taskKey")
            ?? check.Key(WorkflowKey, "workflowKey");
}

/// <summary>Body of <c>POST /client-apps</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record ClientAppRequest(string? ClientName) : IValidatableRequest
{
    public Problem? Validate(RequestFieldChecks check) => check.Name(ClientName, "clientName");
}

/// <summary>Body of <c>POST /webhooks/subscribe</c>.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record SubscribeRequest(string? Url, string? Key, string? Id = null) : IValidatableRequest
{
    public Problem? Validate(RequestFieldChecks check) =>
        check.Url(Url, "url")
            ?? check.Key(Key, "key")
            ?? check.Key(Id, "id");
}

/// <summary>
/// Body of <c>PATCH /tasks</c> and <c>PATCH /tasks/{id}</c>: the fields to change, the writable fields of the original's Task.
/// Its id and audit fields are accepted and ignored (<see cref="OriginalModelFields"/>). A field left out keeps its value; one
/// given as null is cleared, as the original's update writes it (<see cref="Nulls"/>).
/// </summary>
public sealed class TaskPatchRequest : IValidatableRequest
{
    private readonly NullFields _nulls = new();

    public string? Name { get; init => field = _nulls.Note(value, "name"); }

    public string? Description { get; init => field = _nulls.Note(value, "description"); }

    public string? Status { get; init => field = _nulls.Note(value, "status"); }

    public string? Priority { get; init => field = _nulls.Note(value, "priority"); }

    public string? Severity { get; init => field = _nulls.Note(value, "severity"); }

    public string? Type { get; init => field = _nulls.Note(value, "type"); }

    public string? AssigneeId { get; init => field = _nulls.Note(value, "assigneeId"); }

    public DateTimeOffset? StartDate { get; init => field = _nulls.Note(value, "startDate"); }

    public DateTimeOffset? DueDate { get; init => field = _nulls.Note(value, "dueDate"); }

    public JsonElement? Metadata { get; init => field = _nulls.Note(value is { ValueKind: JsonValueKind.Null } ? null : value, "metadata"); }

    public string? Notes { get; init => field = _nulls.Note(value, "notes"); }

    public string? Key { get; init => field = _nulls.Note(value, "key"); }

    public DateTimeOffset? EndDate { get; init => field = _nulls.Note(value, "endDate"); }

    public string? ExternalId { get; init => field = _nulls.Note(value, "externalId"); }

    [JsonExtensionData] public Dictionary<string, JsonElement>? Unmapped { get; init; }

    /// <summary>The fields the body gives as null, by their JSON names, in the order given.</summary>
    [JsonIgnore]
    public IReadOnlyList<string> Nulls => _nulls.Names;

    public Problem? Validate(RequestFieldChecks check) =>
        OriginalModelFields.Check<TaskPatchRequest>(Unmapped, OriginalModelFields.Audit)
            ?? check.Key(Key, "key")
            ?? check.Key(ExternalId, "externalId")
            ?? check.Name(Name, "name")
            ?? check.FreeText(Description, "description")
            ?? check.Name(Status, "status")
            ?? check.Name(Priority, "priority")
            ?? check.Name(Severity, "severity")
            ?? check.Name(Type, "type")
            ?? check.Key(AssigneeId, "assigneeId")
            ?? check.Json(Metadata, "metadata", check.Limits.MaxJsonValueBytes)
            ?? check.FreeText(Notes, "notes");
}

/// <summary>Body of <c>PUT /tasks/{taskId}/user-tasks/{userTaskId}/assignee</c>: the new assignee, or null to clear it.</summary>
[JsonUnmappedMemberHandling(JsonUnmappedMemberHandling.Disallow)]
public sealed record AssigneeRequest(string? UserId) : IValidatableRequest
{
    // A blank id names nobody: it would be stored as an assignee that no caller is, so it is refused rather than taken as one.
    public Problem? Validate(RequestFieldChecks check) =>
        UserId is { } userId && string.IsNullOrWhiteSpace(userId)
            ? Problem.Invalid("userId", "'userId' must name a user; send null (or no userId) to clear the assignee.")
            : check.Key(UserId, "userId");
}
