using TaskService.Tasks;

namespace TaskService.Workflows;

/// <summary>A started workflow instance and the user tasks it is waiting on.</summary>
public sealed record WorkflowStart(string InstanceId, IReadOnlyList<NewUserTask> PendingUserTasks);
