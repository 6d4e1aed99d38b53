using System.Net;
using System.Text.Json;

namespace TaskService.Postgres.Tests.Durability;

/// <summary>
/// What the full lifecycle needs, made over HTTP: the parent and child workflows, the event and task mappings, a client app whose
/// secret the Node receiver checks signatures with, and one subscription per outgoing event type.
/// </summary>
public sealed record LifecycleSetup(
    string ParentProcessId,
    string ChildProcessId,
    string EventKey,
    string MappedTaskKey,
    string UnmappedTaskKey,
    ClientAppCredentials App,
    IReadOnlyDictionary<string, string> SubscriptionPaths)
{
    public const string TaskCreated = "task-created";
    public const string UserTaskCompleted = "user-task-completed";
    public const string TaskCompleted = "task-completed";

    public static async Task<LifecycleSetup> CreateAsync(HttpClient api)
    {
        var (parentBpmn, parentId) = BpmnFiles.Parent();
        var (childBpmn, childId) = BpmnFiles.Child();
        foreach (var bpmn in new[] { parentBpmn, childBpmn })
        {
            await api.SendJsonAsync("POST", "/workflows", new { name = "durability", bpmnFile = bpmn, inputSchema = new { type = "object" } })
                .ExpectAsync(HttpStatusCode.Created);
        }

        var run = Guid.NewGuid().ToString("N");
        var setup = new LifecycleSetup(
            parentId,
            childId,
            $"case.opened-{run}",
            $"review-contract-{run}",
            $"call-customer-{run}",
            await ClientAppCredentials.CreateAsync(api),
            new Dictionary<string, string>
            {
                [TaskCreated] = $"/created-{run}",
                [UserTaskCompleted] = $"/user-task-completed-{run}",
                [TaskCompleted] = $"/completed-{run}",
            });
        await api.SendJsonAsync("POST", "/events/mapping", new { eventKey = setup.EventKey, workflowKey = parentId }).ExpectAsync(HttpStatusCode.Created);
        await api.SendJsonAsync("POST", "/tasks/mapping", new { taskKey = setup.MappedTaskKey, workflowKey = childId }).ExpectAsync(HttpStatusCode.Created);
        return setup;
    }

    /// <summary>Subscribes the receiver's path for each outgoing event type; returns the subscription ids.</summary>
    public async Task<IReadOnlyList<string>> SubscribeAsync(HttpClient api, WebhookReceiver receiver, params string[] eventKeys)
    {
        var ids = new List<string>();
        foreach (var key in eventKeys.Length == 0 ? SubscriptionPaths.Keys.ToArray() : eventKeys)
        {
            var subscription = await api.SendJsonAsync("POST", "/webhooks/subscribe", new { url = receiver.Url(SubscriptionPaths[key]), key }, App.Headers)
                .ExpectAsync(HttpStatusCode.Created);
            ids.Add(subscription.GetProperty("id").GetString()!);
        }

        return ids;
    }

    /// <summary>Triggers the case event (with <paramref name="eventId"/> as its Idempotency-Key) whose parent workflow creates two tasks.</summary>
    public Task<JsonElement> TriggerAsync(HttpClient api, string eventId) =>
        api.SendJsonAsync("POST", "/events/trigger", new
        {
            key = EventKey,
            source = "contracts",
            description = "A contract case was opened",
            payload = new
            {
                caseId = 7,
                tasks = new
                {
                    values = new object[]
                    {
                        new { key = MappedTaskKey, name = "Review the contract", priority = "high", type = "review" },
                        new { key = UnmappedTaskKey, name = "Call the customer", priority = "low", type = "call" },
                    },
                },
            },
        }, new Dictionary<string, string> { ["Idempotency-Key"] = eventId }).ExpectAsync(HttpStatusCode.Accepted);
}
