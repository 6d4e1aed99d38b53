using TaskService.Errors;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// Deploys workflow versions through engine-rest: one deployment per BPMN process id (its name), with
/// <c>deploy-changed-only</c> so that deploying the same file again creates no new definition version.
/// </summary>
public sealed class CamundaWorkflowDeployer(CamundaClient camunda) : IWorkflowDeployer
{
    public string Provider => WorkflowProviders.Camunda;

    public async Task<string> DeployAsync(string workflowId, int version, string processId, string bpmn, CancellationToken cancellationToken = default)
    {
        CamundaDeployment deployment;
        try
        {
            deployment = await camunda.DeployAsync(processId, $"{processId}.bpmn", bpmn, deployChangedOnly: true, cancellationToken);
        }
        catch (CamundaException exception) when (exception.StatusCode == 400)
        {
            throw TaskServiceException.Invalid("bpmnFile", $"Camunda refused the BPMN file: {exception.EngineMessage}");
        }

        var definition = deployment.DeployedProcessDefinitions?.Values.FirstOrDefault(d => d.Key == processId)
            ?? await camunda.GetProcessDefinitionByKeyAsync(processId, cancellationToken)
            ?? throw new CamundaException("POST /deployment/create", 200, null,
                $"Deployment '{deployment.Id}' of workflow '{workflowId}' version {version} holds no process definition with key '{processId}'.");
        return definition.Id;
    }
}
