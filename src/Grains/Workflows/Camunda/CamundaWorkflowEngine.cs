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
    public async Task<WorkflowStart> StartAsync(string workflowKey, JsonElement variables, string startId, CancellationToken cancellationToken = default)
    {
        var workflowId = await store.FindWorkflowIdByProcessIdAsync(workflowKey, cancellationToken)
            ?? throw new TaskServiceException(TaskServiceErrorKind.NotFound,
                $"No workflow deploys BPMN process '{workflowKey}'; deploy it with POST /workflows or fix the mapping's workflowKey.", "workflowKey");
        var aggregate = await store.LoadWorkflowAsync(workflowId, cancellationToken) ?? throw TaskServiceException.NotFound("workflow", workflowId);
        var latest = aggregate.Versions.Single(v => v.Version == aggregate.Workflow.WorkflowVersion);
        var instanceId = await CamundaStarts.StartOnceAsync(camunda, aggregate.Workflow, latest, variables, startId, options.Value.JsonVariableType, cancellationToken);
        var details = await grains.GetGrain<ICamundaInstanceGrain>(instanceId).TrackAsync(new CamundaInstanceStart
        {
            WorkflowId = workflowId,
            ProcessId = workflowKey,
            Version = latest.Version,
            Variables = variables,
        });
        return new WorkflowStart(instanceId, PendingUserTasks(details));
    }

    public async Task<IReadOnlyList<NewUserTask>> CompleteUserTaskAsync(string instanceId, string userTaskExternalId, JsonElement? variables, CancellationToken cancellationToken = default) =>
        PendingUserTasks(await grains.GetGrain<ICamundaInstanceGrain>(instanceId).CompleteUserTaskAsync(userTaskExternalId, variables));

    public Task CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default) =>
        grains.GetGrain<ICamundaInstanceGrain>(instanceId).CancelAsync(reason);

    /// <summary>The user tasks an instance waits on, as tasks record them.</summary>
    public static IReadOnlyList<NewUserTask> PendingUserTasks(WorkflowInstanceDetails details) =>
        details.UserTasks
            .Where(u => !u.Completed)
            .Select(u => new NewUserTask
            {
                ExternalId = u.Id,
                Name = u.Name ?? u.ElementId,
                Assignee = u.Assignee,
                CandidateGroups = u.CandidateGroups,
                DueDate = u.DueDate,
            })
            .ToArray();
}
