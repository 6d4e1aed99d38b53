using TaskService.Tasks;

namespace TaskService.Storage;

/// <summary>A task and its user tasks: the unit its task grain reads and writes.</summary>
public sealed record TaskAggregate(TaskRecord Task, IReadOnlyList<UserTaskRecord> UserTasks);
