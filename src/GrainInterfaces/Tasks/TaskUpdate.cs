using System.Text.Json;

namespace TaskService.Tasks;

/// <summary>A partial update of a task: fields left null keep their value, and those named in <see cref="Cleared"/> are set to null.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.TaskUpdate")]
public sealed record TaskUpdate
{
    [Id(0)] public string? Name { get; init; }

    [Id(1)] public string? Description { get; init; }

    [Id(2)] public TaskRecordStatus? Status { get; init; }

    [Id(3)] public string? Priority { get; init; }

    [Id(4)] public string? Severity { get; init; }

    [Id(5)] public string? Type { get; init; }

    [Id(6)] public string? AssigneeId { get; init; }

    [Id(7)] public DateTimeOffset? StartDate { get; init; }

    [Id(8)] public DateTimeOffset? DueDate { get; init; }

    [Id(9)] public JsonElement? Metadata { get; init; }

    [Id(10)] public string? Notes { get; init; }

    /// <summary>The task's key. Which workflow runs for a task is decided when it is created; a new key does not change it.</summary>
    [Id(11)] public string? Key { get; init; }

    [Id(12)] public DateTimeOffset? EndDate { get; init; }

    /// <summary>
    /// The caller's id for a task that runs no workflow. A task that runs a workflow keeps its instance's id here, and a
    /// different value is a conflict.
    /// </summary>
    [Id(13)] public string? ExternalId { get; init; }

    /// <summary>
    /// The fields to clear, by their JSON names (<c>description</c>, <c>priority</c>, <c>severity</c>, <c>type</c>,
    /// <c>assigneeId</c>, <c>startDate</c>, <c>dueDate</c>, <c>endDate</c>, <c>metadata</c>, <c>notes</c>, <c>externalId</c>).
    /// </summary>
    [Id(14)] public IReadOnlyList<string>? Cleared { get; init; }

    /// <summary>Whether <paramref name="field"/> (a JSON name) is to be cleared.</summary>
    public bool Clears(string field) => Cleared is { } cleared && cleared.Contains(field);
}
