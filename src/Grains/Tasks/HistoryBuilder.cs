namespace TaskService.Tasks;

/// <summary>Collects the history entries of one change of a task, all with the same time and in the order they happened.</summary>
public sealed class HistoryBuilder(string taskId, string by, DateTimeOffset on)
{
    private readonly List<TaskHistoryEntry> _entries = [];

    public IReadOnlyList<TaskHistoryEntry> Entries => _entries;

    public HistoryBuilder Add(string action, string? userTaskId, IReadOnlyList<TaskFieldChange>? changes, string? actor = null)
    {
        _entries.Add(new TaskHistoryEntry
        {
            Id = Common.DeterministicId.NewVersion7(on).ToString("N"),
            TaskId = taskId,
            UserTaskId = userTaskId,
            Action = action,
            Changes = changes is { Count: > 0 } ? changes : null,
            By = actor ?? by,
            On = on,
            Position = _entries.Count,
        });
        return this;
    }

    /// <summary>One <c>user-task-created</c> entry for each user task in <paramref name="after"/> that <paramref name="before"/> lacks.</summary>
    public void AddCreated(IReadOnlyList<UserTaskRecord> before, IReadOnlyList<UserTaskRecord> after, string? actor = null)
    {
        var known = before.Select(u => u.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var userTask in after.Where(u => !known.Contains(u.Id)))
        {
            Add(TaskHistoryActions.UserTaskCreated, userTask.Id, null, actor);
        }
    }
}
