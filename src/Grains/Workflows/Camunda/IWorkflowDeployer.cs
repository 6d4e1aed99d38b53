namespace TaskService.Workflows.Camunda;

/// <summary>
/// Deploys a workflow version's BPMN file to an external engine. <see cref="WorkflowGrain"/> uses it when one is registered
/// (Camunda); without one, versions run on the embedded engine.
/// </summary>
public interface IWorkflowDeployer
{
    /// <summary>The <see cref="WorkflowRecord.Provider"/> of workflows deployed here.</summary>
    string Provider { get; }

    /// <summary>Deploys the file and returns the engine's id of the version's process definition.</summary>
    Task<string> DeployAsync(string workflowId, int version, string processId, string bpmn, CancellationToken cancellationToken = default);
}
