using System.Text.Json;
using TaskService.Errors;
using TaskService.Storage;
using TaskService.Tasks;

namespace TaskService.Workflows.Embedded;

/// <summary>The workflow engine of the embedded default: instances are <see cref="IWorkflowInstanceGrain"/>s in this cluster.</summary>
public sealed class EmbeddedWorkflowEngine(IGrainFactory grains, ITaskServiceStore store) : IWorkflowEngine
{
    public async Task<Outcome<WorkflowStart>> StartAsync(string workflowKey, JsonElement variables, string startId, CancellationToken cancellationToken = default)
    {
        var found = await WorkflowEngines.FindWorkflowIdAsync(store, workflowKey, cancellationToken);
        if (found.Value is not { } workflowId)
        {
            return found.Problem!;
        }

        if (await grains.GetGrain<IWorkflowGrain>(workflowId).GetAsync() is not { } workflow)
        {
            return Problem.NotFound("workflow", workflowId);
        }

        var started = await grains.GetGrain<IWorkflowInstanceGrain>(startId).StartAsync(new WorkflowStartRequest
        {
            WorkflowId = workflowId,
            Version = workflow.WorkflowVersion,
            Variables = variables,
        });
        return started.Value is { } details ? new WorkflowStart(startId, WorkflowEngines.PendingUserTasks(details)) : started.Problem!;
    }

    public async Task<Outcome<IReadOnlyList<NewUserTask>>> CompleteUserTaskAsync(string instanceId, string userTaskExternalId, JsonElement? variables, CancellationToken cancellationToken = default) =>
        (await grains.GetGrain<IWorkflowInstanceGrain>(instanceId).CompleteUserTaskAsync(userTaskExternalId, variables)).Select(WorkflowEngines.PendingUserTasks);

    public Task CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default) =>
        grains.GetGrain<IWorkflowInstanceGrain>(instanceId).CancelAsync(reason);
}
