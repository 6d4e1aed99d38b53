using System.Text.Json;
using TaskService.Errors;
using TaskService.Tasks;

namespace TaskService.Workflows;

/// <summary>Used when no workflow engine is registered: every request names what is missing.</summary>
public sealed class NoWorkflowEngine : IWorkflowEngine
{
    public Task<WorkflowStart> StartAsync(string workflowKey, JsonElement variables, string startId, CancellationToken cancellationToken = default) =>
        throw Unavailable(workflowKey);

    public Task<IReadOnlyList<NewUserTask>> CompleteUserTaskAsync(string instanceId, string userTaskExternalId, JsonElement? variables, CancellationToken cancellationToken = default) =>
        throw Unavailable(instanceId);

    public Task CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default) =>
        throw Unavailable(instanceId);

    private static TaskServiceException Unavailable(string target) =>
        new(TaskServiceErrorKind.Conflict, "No workflow engine is registered in this silo; register one with AddWorkflowEngine<T>().", target);
}
