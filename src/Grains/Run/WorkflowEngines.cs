using TaskService.Errors;
using TaskService.Storage;
using TaskService.Tasks;

namespace TaskService.Workflows;

/// <summary>What every <see cref="IWorkflowEngine"/> does the same way, whichever engine runs the instances.</summary>
public static class WorkflowEngines
{
    /// <summary>
    /// The live workflow that deploys BPMN process <paramref name="workflowKey"/>, with the version new instances run; not found,
    /// naming the fix, when none does.
    /// </summary>
    public static async Task<Outcome<LiveWorkflow>> FindWorkflowAsync(ITaskServiceStore store, string workflowKey, CancellationToken cancellationToken) =>
        await store.FindLiveWorkflowAsync(workflowKey, cancellationToken) is { } workflow
            ? workflow
            : new Problem(TaskServiceErrorKind.NotFound,
                $"No workflow deploys BPMN process '{workflowKey}'; deploy it with POST /workflows or fix the mapping's workflowKey.", "workflowKey");

    /// <summary>The user tasks an instance waits on, as tasks record them.</summary>
    public static IReadOnlyList<NewUserTask> PendingUserTasks(WorkflowInstanceDetails details) => PendingUserTasks(details.UserTasks);

    /// <summary>The user tasks not completed among <paramref name="userTasks"/>, as tasks record them.</summary>
    public static IReadOnlyList<NewUserTask> PendingUserTasks(IEnumerable<InstanceUserTask> userTasks) =>
        userTasks
            .Where(u => !u.Completed)
            .Select(u => new NewUserTask
            {
                ExternalId = u.Id,
                Name = u.Name ?? u.ElementId,
                Assignee = u.Assignee,
                CandidateGroups = u.CandidateGroups,
                DueDate = u.DueDate,
                Form = u.Form,
            })
            .ToArray();
}
