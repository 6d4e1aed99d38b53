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
            var deployment = await camunda.DeployAsync(processId, $"{processId}.bpmn", bpmn, deployChangedOnly: true, cancellationToken);
            var definition = deployment.DeployedProcessDefinitions?.Values.FirstOrDefault(d => d.Key == processId)
                ?? await camunda.GetProcessDefinitionByKeyAsync(processId, cancellationToken);
            if (definition is null)
            {
                // The file is unchanged since the last deployment of that name, whose definition was removed since (its workflow
                // was deleted): deploy-changed-only deploys nothing, so the file is deployed once more without it.
                deployment = await camunda.DeployAsync(processId, $"{processId}.bpmn", bpmn, deployChangedOnly: false, cancellationToken);
                definition = deployment.DeployedProcessDefinitions?.Values.FirstOrDefault(d => d.Key == processId);
            }

            return definition?.Id ?? throw new CamundaException("POST /deployment/create", 200, null,
                $"Deployment '{deployment.Id}' of workflow '{workflowId}' version {version} holds no process definition with key '{processId}'.");
        }
        catch (CamundaException exception) when (exception.StatusCode == 400)
        {
            // The engine's refusal arrives as the client's exception; from here on it is the caller's problem to answer.
            return Problem.Invalid("bpmnFile", $"Camunda refused the BPMN file: {exception.EngineMessage}");
        }
        catch (CamundaException exception) when (exception.IsTransient)
        {
            throw Unreachable(exception);
        }
    }

    public async Task<Outcome> RemoveAsync(string externalWorkflowId, bool withInstances, CancellationToken cancellationToken = default)
    {
        try
        {
            await camunda.DeleteProcessDefinitionAsync(externalWorkflowId, cascade: withInstances, cancellationToken);
            return Outcome.Ok;
        }
        catch (CamundaException exception) when (exception.IsTransient)
        {
            throw Unreachable(exception);
        }
        catch (CamundaException exception) when (exception.StatusCode is 400 or 500)
        {
            // Without cascade, an engine that still runs instances of the definition (started by another client) refuses.
            return Problem.Conflict("workflow", $"Camunda refused to delete process definition '{externalWorkflowId}': {exception.EngineMessage}");
        }
    }

    private TaskServiceException Unreachable(CamundaException exception)
    {
        LogUnreachable(exception.Operation, exception);
        return exception.ToUnavailable();
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Camunda engine-rest request {Operation} failed while deploying or removing a workflow; the caller is told to try again later")]
    private partial void LogUnreachable(string operation, Exception exception);
}
