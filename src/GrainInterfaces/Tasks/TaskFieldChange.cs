using System.Text.Json;

namespace TaskService.Tasks;

/// <summary>A field of a task or user task with its value before and after a change (JSON; absent when null).</summary>
[GenerateSerializer, Immutable, Alias("TaskService.TaskFieldChange")]
public sealed record TaskFieldChange
{
    [Id(0)] public required string Field { get; init; }

    [Id(1)] public JsonElement? From { get; init; }

    [Id(2)] public JsonElement? To { get; init; }
}
