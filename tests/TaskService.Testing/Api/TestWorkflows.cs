using System.Net;
using System.Text.Json;
using TaskService.Gateway.Auth;

namespace TaskService.Testing.Api;

/// <summary>Deploys workflows through the API for tests, each under a process id no other test uses.</summary>
public static class TestWorkflows
{
    /// <summary>The workflow permissions 1 to 5 with every task service code.</summary>
    public static string[] AllPermissions { get; } = [.. Permissions.All, "1", "2", "3", "4", "5"];

    /// <summary>
    /// Deploys the parent sample (an event's workflow that creates tasks) and the child sample (a task's own workflow with two
    /// user tasks) under fresh process ids, and maps a fresh event key (from <paramref name="eventKeyPrefix"/>) to the parent and
    /// a fresh task key (from <paramref name="taskKeyPrefix"/>) to the child.
    /// </summary>
    public static async Task<(string ParentKey, string ChildKey, string EventKey, string TaskKey)> DeployParentAndChildAsync(
        this HttpClient client, string eventKeyPrefix, string taskKeyPrefix)
    {
        var (parentBpmn, parentKey) = WithFreshProcessId(BpmnSamples.ParentCreateTasks, "parent-process");
        var (childBpmn, childKey) = WithFreshProcessId(BpmnSamples.ChildTwoUserTasks, "child-process");
        await client.DeployAsync(parentBpmn);
        await client.DeployAsync(childBpmn);
        var eventKey = TaskSeeding.NewKey(eventKeyPrefix);
        var taskKey = TaskSeeding.NewKey(taskKeyPrefix);
        (await client.PostJsonAsync("/events/mapping", new { eventKey, workflowKey = parentKey })).EnsureSuccessStatusCode();
        (await client.PostJsonAsync("/tasks/mapping", new { taskKey, workflowKey = childKey })).EnsureSuccessStatusCode();
        return (parentKey, childKey, eventKey, taskKey);
    }

    /// <summary>The BPMN file with its process id replaced by a fresh one, which is returned.</summary>
    public static (string Bpmn, string ProcessId) WithFreshProcessId(string bpmn, string processId)
    {
        var fresh = $"{processId}-{Guid.NewGuid():N}";
        return (bpmn.Replace($"\"{processId}\"", $"\"{fresh}\"", StringComparison.Ordinal), fresh);
    }

    /// <summary>Deploys the BPMN file as a new workflow (201 asserted) and returns it.</summary>
    public static async Task<JsonElement> DeployAsync(this HttpClient client, string bpmn, object? inputSchema = null, string? name = null)
    {
        var response = await client.PostJsonAsync("/workflows", new { name = name ?? "test workflow", bpmnFile = bpmn, inputSchema = inputSchema ?? new { type = "object" } });
        return await response.ReadJsonAsync(HttpStatusCode.Created);
    }
}
