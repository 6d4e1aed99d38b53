using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TaskService.Errors;
using TaskService.Storage;
using TaskService.Tasks;

namespace TaskService.Workflows.Embedded;

/// <summary>
/// The workflow engine of the embedded default: instances are <see cref="IWorkflowInstanceGrain"/>s in this cluster, started
/// without activating them (<see cref="EmbeddedStarter"/>).
/// </summary>
public sealed class EmbeddedWorkflowEngine(IGrainFactory grains, ITaskServiceStore store, IServiceProvider services) : IWorkflowEngine
{
    /// <summary>
    /// Resolved on first use: the starter runs commands, and a command (create-tasks) starts workflows through this engine, so
    /// neither can take the other in its constructor.
    /// </summary>
    private EmbeddedStarter Starter => _starter ??= services.GetRequiredService<EmbeddedStarter>();

    private EmbeddedStarter? _starter;

    public async Task<Outcome<WorkflowStart>> StartAsync(string workflowKey, JsonElement variables, string startId, CancellationToken cancellationToken = default)
    {
        // The workflow's id and current version come from the store's cache (cleared in every silo when a workflow changes), so a
        // start makes no call to the workflow's grain: one activation that every event of the process would queue at.
        var found = await WorkflowEngines.FindWorkflowAsync(store, workflowKey, cancellationToken);
        if (found.Value is not { } workflow)
        {
            return found.Problem!;
        }

        var request = new WorkflowStartRequest { WorkflowId = workflow.Id, Version = workflow.Version, Variables = variables };
        var start = await Starter.StartAsync(startId, request);
        if (start.Problem is { } problem)
        {
            return problem;
        }

        if (!start.Created)
        {
            // Started before (the event is routed again, or its caller retried): what is written stands, and its grain answers.
            var written = await grains.GetGrain<IWorkflowInstanceGrain>(startId).StartForUserTasksAsync(request);
            return written.Value is { } userTasks ? new WorkflowStart(startId, WorkflowEngines.PendingUserTasks(userTasks)) : written.Problem!;
        }

        var instance = start.Instance!;
        if (instance.NextDue() is not null)
        {
            // A command is still due (a retry, or one that outran the start's wait): from here on the instance's grain runs it.
            await grains.GetGrain<IEmbeddedInstanceHandOver>(startId).WakeAsync();
        }

        return new WorkflowStart(startId, WorkflowEngines.PendingUserTasks(instance.UserTaskList()));
    }

    public async Task<Outcome<IReadOnlyList<NewUserTask>>> CompleteUserTaskAsync(string instanceId, string userTaskExternalId, JsonElement? variables, CancellationToken cancellationToken = default) =>
        (await grains.GetGrain<IWorkflowInstanceGrain>(instanceId).CompleteUserTaskAsync(userTaskExternalId, variables)).Select(WorkflowEngines.PendingUserTasks);

    public Task CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default) =>
        grains.GetGrain<IWorkflowInstanceGrain>(instanceId).CancelAsync(reason);
}
