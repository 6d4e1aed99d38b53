using TaskService.Events;
using TaskService.Serialization;

namespace TaskService.Tasks;

/// <summary>
/// The <c>task-created</c> event of one <c>create-tasks</c> step, handed to the task whose write carries it: the step's last task
/// writes the event in the same transaction as itself (see <see cref="ITaskGrain.CreateAsync(NewTask, TaskCreatedEvent?)"/>). The
/// payload is <c>{createdTasks: [...]}</c>: <see cref="EarlierTasks"/> followed by the record that write stores.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.TaskCreatedEvent")]
public sealed record TaskCreatedEvent
{
    /// <summary>The event's id, derived from the step, so a rerun of the step publishes the same event.</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>Milliseconds since the Unix epoch.</summary>
    [Id(1)] public long Timestamp { get; init; }

    [Id(2)] public string? TraceParent { get; init; }

    /// <summary>The tasks the step created before the one whose write carries the event, in order, as they were returned.</summary>
    [Id(3)] public IReadOnlyList<TaskRecord> EarlierTasks { get; init; } = [];

    /// <summary>The outgoing event whose payload lists <paramref name="createdTasks"/>, every task the step created, in order.</summary>
    public OutgoingEvent ToOutgoingEvent(IReadOnlyList<TaskRecord> createdTasks) => new()
    {
        Id = Id,
        Key = OutgoingEventTypes.TaskCreated,
        Payload = JsonElementFactory.From(new { createdTasks }),
        Timestamp = Timestamp,
        TraceParent = TraceParent,
    };
}
