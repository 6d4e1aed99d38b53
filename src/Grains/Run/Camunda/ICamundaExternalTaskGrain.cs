namespace TaskService.Workflows.Camunda;

/// <summary>
/// One per Camunda external task (keyed by its id): runs the task's command at most once to success. A redelivered task (its lock
/// ran out while the command ran, or another silo fetched it) reaches the same activation, waits for the run in progress, and gets
/// its outcome instead of running the command again.
/// </summary>
[Alias("TaskService.Camunda.ICamundaExternalTaskGrain")]
public interface ICamundaExternalTaskGrain : IGrainWithStringKey
{
    /// <summary>Runs the command for the task (or returns the outcome of the run that succeeded). Never throws for a failing command.</summary>
    [Alias("RunAsync")]
    [ResponseTimeout("01:00:00")]
    Task<CamundaCommandOutcome> RunAsync(CamundaExternalTaskWork work);
}
