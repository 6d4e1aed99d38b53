using System.Text.Json;
using TaskService.Errors;
using TaskService.Tasks;

namespace TaskService.Workflows;

/// <summary>The workflow engine TaskService drives: embedded by default, Camunda 7 engine-rest when configured.</summary>
public interface IWorkflowEngine
{
    /// <summary>
    /// Starts the latest version of the workflow whose BPMN process id is <paramref name="workflowKey"/>.
    /// Starting twice with the same <paramref name="startId"/> returns the first instance. Not found when no workflow deploys it.
    /// </summary>
    Task<Outcome<WorkflowStart>> StartAsync(string workflowKey, JsonElement variables, string startId, CancellationToken cancellationToken = default);

    /// <summary>
    /// Completes a user task and returns the user tasks the instance is waiting on afterwards, or the problem (the instance is not
    /// active, the engine refused the variables).
    /// </summary>
    Task<Outcome<IReadOnlyList<NewUserTask>>> CompleteUserTaskAsync(string instanceId, string userTaskExternalId, JsonElement? variables, CancellationToken cancellationToken = default);

    /// <summary>Ends the instance; ending an instance that is gone is not an error.</summary>
    Task CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default);
}
