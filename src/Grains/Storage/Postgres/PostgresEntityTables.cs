using TaskService.Queries;

namespace TaskService.Storage.Postgres;

/// <summary>
/// The fixed field-to-column map of every queryable collection (tables of <c>scripts/sql/0100_task_service_schema.sql</c>).
/// Columns are listed in the declaration order of each entity's record so that rows read here serialize exactly like the record.
/// </summary>
public static class PostgresEntityTables
{
    /// <summary>The columns of who made, changed and deleted a row, in the order the records declare them.</summary>
    private static readonly PostgresColumn[] Audit =
    [
        Text("createdBy", "created_by"), Text("modifiedBy", "modified_by"),
        new("deleted", "deleted", FieldType.Boolean, PostgresColumnKind.Boolean), Date("deletedOn", "deleted_on"), Text("deletedBy", "deleted_by"),
    ];

    public static PostgresEntityTable Event { get; } = new(EntitySchemas.Event, "main.events",
    [
        Text("id", "id"), Text("key", "\"key\""), Json("payload", "payload"), Text("source", "source"),
        Text("description", "description"), new("timestamp", "\"timestamp\"", FieldType.Number, PostgresColumnKind.BigInt),
    ]);

    public static PostgresEntityTable Task { get; } = new(EntitySchemas.Task, "main.tasks",
    [
        Text("id", "id"), Text("key", "\"key\""), Text("name", "name"), Text("description", "description"),
        Text("status", "status"), Text("priority", "priority"), Text("severity", "severity"), Text("type", "\"type\""),
        Text("assigneeId", "assignee_id"), Date("startDate", "start_date"), Date("dueDate", "due_date"), Date("endDate", "end_date"),
        Json("metadata", "metadata"), Text("externalId", "external_id"), Date("createdOn", "created_on"),
        Date("modifiedOn", "modified_on"), Text("notes", "notes"), Text("eventId", "event_id"), .. Audit,
    ], softDelete: true);

    public static PostgresEntityTable UserTask { get; } = new(EntitySchemas.UserTask, "main.user_tasks",
    [
        Text("id", "id"), Text("taskId", "task_id"), Text("name", "name"), Text("status", "status"),
        Text("externalId", "external_id"), Text("assignee", "assignee"), Json("candidateGroups", "candidate_groups"),
        Date("dueDate", "due_date"), Date("createdOn", "created_on"), Date("modifiedOn", "modified_on"), .. Audit, Json("form", "form"),
    ], softDelete: true);

    public static PostgresEntityTable TaskHistory { get; } = new(EntitySchemas.TaskHistory, "main.task_history",
    [
        Text("id", "id"), Text("taskId", "task_id"), Text("userTaskId", "user_task_id"), Text("action", "action"),
        Json("changes", "changes"), Text("by", "by_user"), Date("on", "changed_on"), Integer("position", "position"),
    ]);

    public static PostgresEntityTable EventMapping { get; } = new(EntitySchemas.EventMapping, "main.event_workflows",
    [
        Text("id", "id"), Text("eventKey", "event_key"), Text("workflowKey", "workflow_key"), Date("createdOn", "created_on"),
        Date("modifiedOn", "modified_on"), .. Audit,
    ], softDelete: true);

    public static PostgresEntityTable TaskMapping { get; } = new(EntitySchemas.TaskMapping, "main.task_workflows",
    [
        Text("id", "id"), Text("taskKey", "task_key"), Text("workflowKey", "workflow_key"), Date("createdOn", "created_on"),
        Date("modifiedOn", "modified_on"), .. Audit,
    ], softDelete: true);

    public static PostgresEntityTable ClientApp { get; } = new(EntitySchemas.ClientApp, "main.client_apps",
    [
        Text("id", "id"), Text("name", "name"), Text("apiKey", "api_key"), Date("createdOn", "created_on"),
    ]);

    public static PostgresEntityTable WebhookSubscription { get; } = new(EntitySchemas.WebhookSubscription, "main.webhook_subscriptions",
    [
        Text("id", "id"), Text("url", "url"), Text("key", "\"key\""), Text("clientAppId", "client_app_id"), Text("status", "status"),
        Text("statusReason", "status_reason"), Date("createdOn", "created_on"), Date("modifiedOn", "modified_on"),
    ]);

    public static PostgresEntityTable Workflow { get; } = new(EntitySchemas.Workflow, "main.workflows",
    [
        Text("id", "id"), Text("name", "name"), Text("description", "description"), Text("externalIdentifier", "external_identifier"),
        Text("provider", "provider"), Integer("workflowVersion", "workflow_version"), Json("inputSchema", "inputschema"),
        Date("createdOn", "created_on"), Date("modifiedOn", "modified_on"), .. Audit,
    ], softDelete: true);

    public static PostgresEntityTable WorkflowInstance { get; } = new(EntitySchemas.WorkflowInstance, "main.workflow_instances",
    [
        Text("id", "id"), Text("workflowId", "workflow_id"), Text("processId", "process_id"), Integer("version", "\"version\""),
        Text("status", "status"), Integer("incidents", "incidents"), Date("createdOn", "created_on"), Date("modifiedOn", "modified_on"),
        Date("endedOn", "ended_on"),
    ]);

    public static PostgresEntityTable WebhookDelivery { get; } = new(EntitySchemas.WebhookDelivery, "main.webhook_deliveries",
    [
        Text("id", "id"), Text("subscriptionId", "subscription_id"), Text("clientAppId", "client_app_id"), Text("eventId", "event_id"),
        Text("eventType", "event_type"), new("sequence", "seq", FieldType.Number, PostgresColumnKind.BigInt), Text("status", "status"),
        Integer("attemptCount", "attempts"), Date("nextAttemptAt", "next_attempt_at"), Integer("lastStatusCode", "last_status_code"),
        Text("lastError", "last_error"), Integer("lastDurationMs", "last_duration_ms"), Text("redeliveryOf", "redelivery_of"),
        Date("createdOn", "created_on"), Date("modifiedOn", "modified_on"), Date("deliveredOn", "delivered_on"),
    ]);

    public static PostgresEntityTable WebhookDeliveryAttempt { get; } = new(EntitySchemas.WebhookDeliveryAttempt, "main.webhook_delivery_attempts",
    [
        Text("id", "id"), Text("deliveryId", "delivery_id"), Text("subscriptionId", "subscription_id"), Integer("attempt", "attempt"),
        Date("attemptedOn", "attempted_on"), Integer("statusCode", "status_code"), Integer("durationMs", "duration_ms"),
        Text("error", "error"), Date("nextAttemptAt", "next_attempt_at"),
    ]);

    public static PostgresEntityTable For(EntityKind kind) => kind switch
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
        EntityKind.WebhookDelivery => WebhookDelivery,
        EntityKind.WebhookDeliveryAttempt => WebhookDeliveryAttempt,
        EntityKind.TaskHistory => TaskHistory,
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, "Unknown entity kind."),
    };

    private static PostgresColumn Text(string field, string sql) => new(field, sql, FieldType.String, PostgresColumnKind.Text);

    private static PostgresColumn Date(string field, string sql) => new(field, sql, FieldType.DateTime, PostgresColumnKind.TimestampTz);

    private static PostgresColumn Json(string field, string sql) => new(field, sql, FieldType.Json, PostgresColumnKind.Jsonb);

    private static PostgresColumn Integer(string field, string sql) => new(field, sql, FieldType.Number, PostgresColumnKind.Integer);
}
