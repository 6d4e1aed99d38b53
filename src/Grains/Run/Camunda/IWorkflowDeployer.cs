using TaskService.Errors;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// Deploys a workflow version's BPMN file to an external engine, and removes it. <see cref="WorkflowGrain"/> uses it when one
/// is registered (Camunda); without one, versions run on the embedded engine.
/// </summary>
public interface IWorkflowDeployer
{
    /// <summary>The <see cref="WorkflowRecord.Provider"/> of workflows deployed here.</summary>
    string Provider { get; }

    /// <summary>Deploys the file and gives the engine's id of the version's process definition, or the engine's refusal (400).</summary>
    Task<Outcome<string>> DeployAsync(string workflowId, int version, string processId, string bpmn, CancellationToken cancellationToken = default);

    /// <summary>
    /// Removes a version's process definition from the engine; with <paramref name="withInstances"/> its instances (running and
    /// in history) too. One that is gone already is not an error; one the engine will not remove is a conflict (409).
    /// </summary>
    Task<Outcome> RemoveAsync(string externalWorkflowId, bool withInstances, CancellationToken cancellationToken = default);
}
