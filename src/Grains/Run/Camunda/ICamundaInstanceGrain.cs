using System.Text.Json;
using TaskService.Errors;

namespace TaskService.Workflows.Camunda;

/// <summary>
/// One per Camunda process instance (keyed by its id): the instance as TaskService sees it. It answers the workflow-instances API
/// from engine-rest and keeps the instance's row (status, last known variables, user tasks seen), because engine-rest 7.15
/// describes no endpoint for the variables of an ended instance.
/// </summary>
[Alias("TaskService.Camunda.ICamundaInstanceGrain")]
public interface ICamundaInstanceGrain : IWorkflowInstanceGrain
{
    /// <summary>
    /// Starts the version in Camunda with this grain's key as business key (once: a second call finds the first instance) and
    /// answers the instance, or the problem: the workflow or version is gone, the variables or the start are refused.
    /// <see cref="IWorkflowInstanceGrain.StartAsync"/> does the same and throws the problem.
    /// </summary>
    [Alias("StartVersionAsync")]
    Task<Outcome<WorkflowInstanceDetails>> StartVersionAsync(WorkflowStartRequest request);

    /// <summary>Starts tracking an instance TaskService started, and returns it with the user tasks it waits on.</summary>
    [Alias("TrackAsync")]
    Task<WorkflowInstanceDetails> TrackAsync(CamundaInstanceStart start);

    /// <summary>An external task of the instance was handled: merges the variables it saw and set, and notes whether the instance ended.</summary>
    [Alias("ExternalTaskHandledAsync")]
    Task ExternalTaskHandledAsync(JsonElement variables);
}
