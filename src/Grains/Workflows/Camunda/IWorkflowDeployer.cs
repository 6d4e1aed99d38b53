namespace TaskService.Workflows.Camunda;

/// <summary>
/// Deploys a workflow version's BPMN file to an external engine, and removes it. <see cref="WorkflowGrain"/> uses it when one
/// is registered (Camunda); without one, versions run on the embedded engine.
/// </summary>
public interface IWorkflowDeployer
{
    /// <summary>The <see cref="WorkflowRecord.Provider"/> of workflows deployed here.</summary>
    string Provider { get; }

    /// <summary>Deploys the file and returns the engine's id of the version's process definition.</summary>
    Task<string> DeployAsync(string workflowId, int version, string processId, string bpmn, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes a version's process definition from the engine; with <paramref name="withInstances"/> its instances (running and
    /// in history) too. One that is gone already is not an error.
    /// </summary>
    Task RemoveAsync(string externalWorkflowId, bool withInstances, CancellationToken cancellationToken = default);
}
