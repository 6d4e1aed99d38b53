using Microsoft.Extensions.Logging;
using TaskService.Errors;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// Deploys workflow versions through engine-rest: one deployment per BPMN process id (its name), with
/// <c>deploy-changed-only</c> so that deploying the same file again creates no new definition version. Removes them as the
/// original does: a deleted workflow's definitions with their instances, a deleted version's definition alone. An engine that
/// cannot be reached is a <see cref="TaskServiceErrorKind.Unavailable"/> error (503): nothing was changed, try again later.
/// </summary>
public sealed partial class CamundaWorkflowDeployer(CamundaClient camunda, ILogger<CamundaWorkflowDeployer> logger) : IWorkflowDeployer
{
    public string Provider => WorkflowProviders.Camunda;

    public async Task<Outcome<string>> DeployAsync(string workflowId, int version, string processId, string bpmn, CancellationToken cancellationToken = default)
    {
        try
        {
            var deployed = await camunda.DeployAsync(processId, $"{processId}.bpmn", bpmn, deployChangedOnly: true, cancellationToken);
            if (deployed.Refusal is { } refusal)
            {
                return Refused(refusal);
            }

            var deployment = deployed.Value!;
            var definition = deployment.DeployedProcessDefinitions?.Values.FirstOrDefault(d => d.Key == processId)
                ?? await camunda.GetProcessDefinitionByKeyAsync(processId, cancellationToken);
            if (definition is null)
            {
                // The file is unchanged since the last deployment of that name, whose definition was removed since (its workflow
                // was deleted): deploy-changed-only deploys nothing, so the file is deployed once more without it.
                deployed = await camunda.DeployAsync(processId, $"{processId}.bpmn", bpmn, deployChangedOnly: false, cancellationToken);
                if (deployed.Refusal is { } again)
                {
                    return Refused(again);
                }

                deployment = deployed.Value!;
                definition = deployment.DeployedProcessDefinitions?.Values.FirstOrDefault(d => d.Key == processId);
            }

            return definition?.Id ?? throw new CamundaException("POST /deployment/create", 200, null,
                $"Deployment '{deployment.Id}' of workflow '{workflowId}' version {version} holds no process definition with key '{processId}'.");
        }
        catch (CamundaException exception) when (exception.IsTransient)
        {
            throw Unreachable(exception);
        }
    }

    public async Task<Outcome> RemoveAsync(string externalWorkflowId, bool withInstances, CancellationToken cancellationToken = default)
    {
        CamundaResult<bool> removed;
        try
        {
            removed = await camunda.DeleteProcessDefinitionAsync(externalWorkflowId, cascade: withInstances, cancellationToken);
        }
        catch (CamundaException exception) when (exception.IsTransient)
        {
            throw Unreachable(exception);
        }

        return removed.Refusal switch
        {
            null => Outcome.Ok,

            // Without cascade, an engine that still runs instances of the definition (started by another client) refuses.
            { IsBadRequest: true } or { IsEngineFailure: true } =>
                Problem.Conflict("workflow", $"Camunda refused to delete process definition '{externalWorkflowId}': {removed.Refusal.EngineMessage}"),
            var unexpected => throw unexpected.ToException(),
        };
    }

    /// <summary>The engine's refusal of a file (400) is the caller's problem to answer; any other refusal is unexpected.</summary>
    private static Problem Refused(CamundaRefusal refusal) => refusal.IsBadRequest
        ? Problem.Invalid("bpmnFile", $"Camunda refused the BPMN file: {refusal.EngineMessage}")
        : throw refusal.ToException();

    private TaskServiceException Unreachable(CamundaException exception)
    {
        LogUnreachable(exception.Operation, exception);
        return exception.ToUnavailable();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camunda engine-rest request {Operation} failed while deploying or removing a workflow; the caller is told to try again later")]
    private partial void LogUnreachable(string operation, Exception exception);
}
