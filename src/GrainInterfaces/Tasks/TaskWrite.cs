namespace TaskService.Tasks;

/// <summary>
/// What a task write that was asked to carry a <see cref="TaskCreatedEvent"/> did: the task as it is now, and whether the event
/// was written with it. It is not when the task was there already (the step ran again): the caller then publishes the event
/// itself, with the stored record.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.TaskWrite")]
public sealed record TaskWrite
{
    [Id(0)] public required TaskRecord Task { get; init; }

    /// <summary>The <c>task-created</c> event was written in the same transaction as the task.</summary>
    [Id(1)] public bool EventWritten { get; init; }
}
