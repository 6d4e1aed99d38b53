using System.Text.Json;
using TaskService.Errors;

namespace TaskService.Workflows;

/// <summary>
/// One per workflow instance of the embedded engine: runs its tokens and is the only writer of its state. The steps an operator
/// or user takes answer an <see cref="Outcome{T}"/>: an unknown step, an instance that is not active, bad variables are problems.
/// </summary>
[Alias("TaskService.IWorkflowInstanceGrain")]
public interface IWorkflowInstanceGrain : IGrainWithStringKey
{
    /// <summary>
    /// Starts the instance; starting it again returns its current state. Variables that are not a JSON object, or a start
    /// the engine refuses, are answered as a problem.
    /// </summary>
    [Alias("StartAsync")]
    Task<Outcome<WorkflowInstanceDetails>> StartAsync(WorkflowStartRequest request);

    /// <summary>
    /// <see cref="StartAsync"/> for a caller that needs only the user tasks of the started instance (an event or a task starting
    /// the workflow mapped to it): the instance's details, its variables above all, are not built for it.
    /// </summary>
    [Alias("StartForUserTasksAsync")]
    Task<Outcome<IReadOnlyList<InstanceUserTask>>> StartForUserTasksAsync(WorkflowStartRequest request);

    /// <summary>The instance's state, or null when it was never started.</summary>
    [Alias("GetAsync")]
    Task<WorkflowInstanceDetails?> GetAsync();

    /// <summary>Completes an open user task, merges the variables and runs on to the next wait states.</summary>
    [Alias("CompleteUserTaskAsync")]
    Task<Outcome<WorkflowInstanceDetails>> CompleteUserTaskAsync(string userTaskId, JsonElement? variables);

    /// <summary>Completes an open external task from outside (a worker of a topic no command is registered for).</summary>
    [Alias("CompleteExternalTaskAsync")]
    Task<Outcome<WorkflowInstanceDetails>> CompleteExternalTaskAsync(string externalTaskId, JsonElement? variables);

    /// <summary>Resolves an incident and tries the failed step again, with its retries renewed.</summary>
    [Alias("RetryIncidentAsync")]
    Task<Outcome<WorkflowInstanceDetails>> RetryIncidentAsync(string incidentId);

    /// <summary>Ends the instance where it stands. Canceling an ended instance changes nothing.</summary>
    [Alias("CancelAsync")]
    Task CancelAsync(string reason);
}
