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
        // The workflow's id and current version come from the store's cache (cleared in every silo when a workflow changes), so a
        // start makes no call to the workflow's grain: one activation that every event of the process would queue at.
        var found = await WorkflowEngines.FindWorkflowAsync(store, workflowKey, cancellationToken);
        if (found.Value is not { } workflow)
        {
            return found.Problem!;
        }

        var started = await grains.GetGrain<IWorkflowInstanceGrain>(startId).StartForUserTasksAsync(new WorkflowStartRequest
        {
            WorkflowId = workflow.Id,
            Version = workflow.Version,
            Variables = variables,
        });
        return started.Value is { } userTasks ? new WorkflowStart(startId, WorkflowEngines.PendingUserTasks(userTasks)) : started.Problem!;
    }

    public async Task<Outcome<IReadOnlyList<NewUserTask>>> CompleteUserTaskAsync(string instanceId, string userTaskExternalId, JsonElement? variables, CancellationToken cancellationToken = default) =>
        (await grains.GetGrain<IWorkflowInstanceGrain>(instanceId).CompleteUserTaskAsync(userTaskExternalId, variables)).Select(WorkflowEngines.PendingUserTasks);

    public Task CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default) =>
        grains.GetGrain<IWorkflowInstanceGrain>(instanceId).CancelAsync(reason);
}
