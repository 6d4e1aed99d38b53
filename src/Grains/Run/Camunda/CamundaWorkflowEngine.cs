using System.Text.Json;
using Microsoft.Extensions.Options;
using TaskService.Errors;
using TaskService.Storage;
using TaskService.Tasks;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// The workflow engine when <c>TaskService:Workflows:Engine</c> is <c>camunda</c>: instances run in a Camunda 7 engine reached
/// through engine-rest; each is tracked by an <see cref="ICamundaInstanceGrain"/>. Starting is idempotent by business key (the start id).
/// </summary>
public sealed class CamundaWorkflowEngine(IGrainFactory grains, ITaskServiceStore store, CamundaClient camunda, IOptions<CamundaOptions> options) : IWorkflowEngine
{
    public async Task<Outcome<WorkflowStart>> StartAsync(string workflowKey, JsonElement variables, string startId, CancellationToken cancellationToken = default)
    {
        var found = await WorkflowEngines.FindWorkflowAsync(store, workflowKey, cancellationToken);
        if (found.Value?.Id is not { } workflowId)
        {
            return found.Problem!;
        }

        if (await store.LoadWorkflowAsync(workflowId, cancellationToken) is not { } aggregate)
        {
            return Problem.NotFound("workflow", workflowId);
        }

        var latest = aggregate.Versions.Single(v => v.Version == aggregate.Workflow.WorkflowVersion);
        var started = await CamundaStarts.StartOnceAsync(camunda, aggregate.Workflow, latest, variables, startId, options.Value.JsonVariableType, cancellationToken);
        if (started.Value is not { } instanceId)
        {
            return started.Problem!;
        }

        var details = await grains.GetGrain<ICamundaInstanceGrain>(instanceId).TrackAsync(new CamundaInstanceStart
        {
            WorkflowId = workflowId,
            ProcessId = workflowKey,
            Version = latest.Version,
            Variables = variables,
        });
        return new WorkflowStart(instanceId, WorkflowEngines.PendingUserTasks(details));
    }

    public async Task<Outcome<IReadOnlyList<NewUserTask>>> CompleteUserTaskAsync(string instanceId, string userTaskExternalId, JsonElement? variables, CancellationToken cancellationToken = default) =>
        (await grains.GetGrain<ICamundaInstanceGrain>(instanceId).CompleteUserTaskAsync(userTaskExternalId, variables)).Select(WorkflowEngines.PendingUserTasks);

    public Task CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default) =>
        grains.GetGrain<ICamundaInstanceGrain>(instanceId).CancelAsync(reason);
}
