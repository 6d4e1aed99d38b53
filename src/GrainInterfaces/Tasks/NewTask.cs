using System.Text.Json;

namespace TaskService.Tasks;

/// <summary>A task as a workflow asks for it (an entry of the <c>tasks.values</c> variable).</summary>
[GenerateSerializer, Immutable, Alias("TaskService.NewTask")]
public sealed record NewTask
{
    [Id(0)] public required string Key { get; init; }

    [Id(1)] public required string Name { get; init; }

    [Id(2)] public string? Description { get; init; }

    [Id(3)] public string? Priority { get; init; }

    [Id(4)] public string? Severity { get; init; }

    [Id(5)] public string? Type { get; init; }

    [Id(6)] public string? AssigneeId { get; init; }

    [Id(7)] public DateTimeOffset? StartDate { get; init; }

    [Id(8)] public DateTimeOffset? DueDate { get; init; }

    [Id(9)] public JsonElement? Metadata { get; init; }

    [Id(10)] public string? Notes { get; init; }
}
