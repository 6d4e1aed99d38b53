namespace TaskService.Queries;

/// <summary>The queryable collections.</summary>
[GenerateSerializer, Alias("TaskService.EntityKind")]
public enum EntityKind
{
    Event = 0,
    Task = 1,
    UserTask = 2,
    EventMapping = 3,
    TaskMapping = 4,
    ClientApp = 5,
    WebhookSubscription = 6,
    Workflow = 7,
    WorkflowInstance = 8,

    /// <summary>The deployed versions of a workflow; read only through <c>include</c> of a workflow.</summary>
    WorkflowVersion = 9,

    /// <summary>The webhook delivery log: one row per event and subscription.</summary>
    WebhookDelivery = 10,

    /// <summary>The attempts of a webhook delivery; read through <c>include</c> of a delivery.</summary>
    WebhookDeliveryAttempt = 11,

    /// <summary>The recorded changes of tasks and their user tasks.</summary>
    TaskHistory = 12,
}
