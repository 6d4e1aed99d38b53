namespace TaskService.Queries;

/// <summary>The schema of every queryable collection. A relation's target is declared above its parent: static properties initialize in written order.</summary>
public static class EntitySchemas
{
    public static EntitySchema Event { get; } = Create(EntityKind.Event, "event", [("timestamp", false), ("id", false)],
        ("id", FieldType.String), ("key", FieldType.String), ("payload", FieldType.Json), ("source", FieldType.String),
        ("description", FieldType.String), ("timestamp", FieldType.Number));

    public static EntitySchema UserTask { get; } = Create(EntityKind.UserTask, "user task", [("createdOn", false), ("id", false)],
        ("id", FieldType.String), ("taskId", FieldType.String), ("name", FieldType.String), ("status", FieldType.String),
        ("externalId", FieldType.String), ("assignee", FieldType.String), ("candidateGroups", FieldType.Json),
        ("dueDate", FieldType.DateTime), ("createdOn", FieldType.DateTime), ("modifiedOn", FieldType.DateTime),
        ("createdBy", FieldType.String), ("modifiedBy", FieldType.String),
        ("deleted", FieldType.Boolean), ("deletedOn", FieldType.DateTime), ("deletedBy", FieldType.String),
        ("form", FieldType.Json)).WithValues("status", Texts<Tasks.UserTaskStatus>());

    /// <summary>The changes of tasks and their user tasks (<c>GET /tasks/{id}/history</c>), oldest first.</summary>
    public static EntitySchema TaskHistory { get; } = Create(EntityKind.TaskHistory, "task history entry", [("on", false), ("position", false), ("id", false)],
        ("id", FieldType.String), ("taskId", FieldType.String), ("userTaskId", FieldType.String), ("action", FieldType.String),
        ("changes", FieldType.Json), ("by", FieldType.String), ("on", FieldType.DateTime), ("position", FieldType.Number));

    public static EntitySchema Task { get; } = Create(EntityKind.Task, "task", [("createdOn", false), ("id", false)],
        [new EntityRelation("userTasks", UserTask, "taskId")],
        ("id", FieldType.String), ("key", FieldType.String), ("name", FieldType.String), ("description", FieldType.String),
        ("status", FieldType.String), ("priority", FieldType.String), ("severity", FieldType.String), ("type", FieldType.String),
        ("assigneeId", FieldType.String), ("startDate", FieldType.DateTime), ("dueDate", FieldType.DateTime),
        ("endDate", FieldType.DateTime), ("metadata", FieldType.Json), ("externalId", FieldType.String),
        ("notes", FieldType.String), ("eventId", FieldType.String),
        ("createdOn", FieldType.DateTime), ("modifiedOn", FieldType.DateTime),
        ("createdBy", FieldType.String), ("modifiedBy", FieldType.String),
        ("deleted", FieldType.Boolean), ("deletedOn", FieldType.DateTime), ("deletedBy", FieldType.String)).WithValues("status", Texts<Tasks.TaskRecordStatus>());

    public static EntitySchema EventMapping { get; } = Create(EntityKind.EventMapping, "event mapping", [("createdOn", false), ("id", false)],
        ("id", FieldType.String), ("eventKey", FieldType.String), ("workflowKey", FieldType.String), ("createdOn", FieldType.DateTime),
        ("modifiedOn", FieldType.DateTime), ("createdBy", FieldType.String), ("modifiedBy", FieldType.String),
        ("deleted", FieldType.Boolean), ("deletedOn", FieldType.DateTime), ("deletedBy", FieldType.String));

    public static EntitySchema TaskMapping { get; } = Create(EntityKind.TaskMapping, "task mapping", [("createdOn", false), ("id", false)],
        ("id", FieldType.String), ("taskKey", FieldType.String), ("workflowKey", FieldType.String), ("createdOn", FieldType.DateTime),
        ("modifiedOn", FieldType.DateTime), ("createdBy", FieldType.String), ("modifiedBy", FieldType.String),
        ("deleted", FieldType.Boolean), ("deletedOn", FieldType.DateTime), ("deletedBy", FieldType.String));

    public static EntitySchema ClientApp { get; } = Create(EntityKind.ClientApp, "client app", [("createdOn", false), ("id", false)],
        ("id", FieldType.String), ("name", FieldType.String), ("apiKey", FieldType.String), ("createdOn", FieldType.DateTime));

    public static EntitySchema WebhookSubscription { get; } = Create(EntityKind.WebhookSubscription, "webhook subscription", [("createdOn", false), ("id", false)],
        ("id", FieldType.String), ("url", FieldType.String), ("key", FieldType.String), ("clientAppId", FieldType.String),
        ("status", FieldType.String), ("statusReason", FieldType.String), ("createdOn", FieldType.DateTime),
        ("modifiedOn", FieldType.DateTime)).WithValues("status", Texts<Webhooks.WebhookSubscriptionStatus>());

    public static EntitySchema WebhookDeliveryAttempt { get; } = Create(EntityKind.WebhookDeliveryAttempt, "webhook delivery attempt", [("attempt", false), ("id", false)],
        ("id", FieldType.String), ("deliveryId", FieldType.String), ("subscriptionId", FieldType.String), ("attempt", FieldType.Number),
        ("attemptedOn", FieldType.DateTime), ("statusCode", FieldType.Number), ("durationMs", FieldType.Number), ("error", FieldType.String),
        ("nextAttemptAt", FieldType.DateTime));

    /// <summary>The delivery log, newest first unless ordered otherwise.</summary>
    public static EntitySchema WebhookDelivery { get; } = Create(EntityKind.WebhookDelivery, "webhook delivery", [("sequence", true)],
        [new EntityRelation("attempts", WebhookDeliveryAttempt, "deliveryId")],
        ("id", FieldType.String), ("subscriptionId", FieldType.String), ("clientAppId", FieldType.String), ("eventId", FieldType.String),
        ("eventType", FieldType.String), ("sequence", FieldType.Number), ("status", FieldType.String), ("attemptCount", FieldType.Number),
        ("nextAttemptAt", FieldType.DateTime), ("lastStatusCode", FieldType.Number), ("lastError", FieldType.String),
        ("lastDurationMs", FieldType.Number), ("redeliveryOf", FieldType.String), ("createdOn", FieldType.DateTime),
        ("modifiedOn", FieldType.DateTime), ("deliveredOn", FieldType.DateTime)).WithValues("status", Texts<Webhooks.WebhookDeliveryStatus>());

    /// <summary>A workflow's deployed versions, as <c>include: ["workflowVersions"]</c> of a workflow shows them.</summary>
    public static EntitySchema WorkflowVersion { get; } = Create(EntityKind.WorkflowVersion, "workflow version", [("version", false)],
        ("workflowId", FieldType.String), ("version", FieldType.Number), ("bpmnDiagram", FieldType.String),
        ("externalWorkflowId", FieldType.String), ("inputSchema", FieldType.Json), ("createdOn", FieldType.DateTime));

    public static EntitySchema Workflow { get; } = Create(EntityKind.Workflow, "workflow", [("createdOn", false), ("id", false)],
        [new EntityRelation("workflowVersions", WorkflowVersion, "workflowId")],
        ("id", FieldType.String), ("name", FieldType.String), ("description", FieldType.String), ("externalIdentifier", FieldType.String),
        ("provider", FieldType.String), ("workflowVersion", FieldType.Number), ("inputSchema", FieldType.Json),
        ("createdOn", FieldType.DateTime), ("modifiedOn", FieldType.DateTime),
        ("createdBy", FieldType.String), ("modifiedBy", FieldType.String),
        ("deleted", FieldType.Boolean), ("deletedOn", FieldType.DateTime), ("deletedBy", FieldType.String));

    public static EntitySchema WorkflowInstance { get; } = Create(EntityKind.WorkflowInstance, "workflow instance", [("createdOn", false), ("id", false)],
        ("id", FieldType.String), ("workflowId", FieldType.String), ("processId", FieldType.String), ("version", FieldType.Number),
        ("status", FieldType.String), ("incidents", FieldType.Number), ("createdOn", FieldType.DateTime),
        ("modifiedOn", FieldType.DateTime), ("endedOn", FieldType.DateTime)).WithValues("status", Texts<Workflows.WorkflowInstanceStatus>());

    public static EntitySchema For(EntityKind kind) => kind switch
    {
        EntityKind.Event => Event,
        EntityKind.Task => Task,
        EntityKind.UserTask => UserTask,
        EntityKind.EventMapping => EventMapping,
        EntityKind.TaskMapping => TaskMapping,
        EntityKind.ClientApp => ClientApp,
        EntityKind.WebhookSubscription => WebhookSubscription,
        EntityKind.Workflow => Workflow,
        EntityKind.WorkflowInstance => WorkflowInstance,
        EntityKind.WorkflowVersion => WorkflowVersion,
        EntityKind.WebhookDelivery => WebhookDelivery,
        EntityKind.WebhookDeliveryAttempt => WebhookDeliveryAttempt,
        EntityKind.TaskHistory => TaskHistory,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown entity kind."),
    };

    /// <summary>The contract texts of an enum's values, as the API writes them (<c>in progress</c>).</summary>
    private static string[] Texts<T>()
        where T : struct, Enum =>
        [.. Enum.GetValues<T>().Select(value => System.Text.Json.JsonSerializer.SerializeToElement(value, Serialization.ContractJson.Options).GetString()!)];

    private static EntitySchema Create(EntityKind kind, string name, (string Field, bool Descending)[] defaultOrder, params (string Name, FieldType Type)[] fields) =>
        Create(kind, name, defaultOrder, [], fields);

    private static EntitySchema Create(EntityKind kind, string name, (string Field, bool Descending)[] defaultOrder, EntityRelation[] relations,
        params (string Name, FieldType Type)[] fields) =>
        new(kind, name,
            fields.ToDictionary(f => f.Name, f => f.Type, StringComparer.Ordinal),
            defaultOrder.Select(o => new SortOrder(o.Field, o.Descending)).ToArray(),
            relations);
}
