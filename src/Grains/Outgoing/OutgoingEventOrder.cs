using System.Text.Json;
using TaskService.Events;

namespace TaskService.Outgoing;

/// <summary>
/// What an outgoing event must keep its order with: the events about one task go out in the order they were made (one Kafka
/// partition, one SQS message group, one webhook delivery at a time); events about different tasks need not wait for each other.
/// </summary>
public static class OutgoingEventOrder
{
    /// <summary>The task the event is about (<c>taskId</c>, <c>task.id</c>, or the first of <c>createdTasks</c>), else its type.</summary>
    public static string KeyOf(OutgoingEvent outgoingEvent)
    {
        ArgumentNullException.ThrowIfNull(outgoingEvent);
        return TaskIdOf(outgoingEvent.Payload) ?? outgoingEvent.Key;
    }

    private static string? TaskIdOf(JsonElement payload)
    {
        if (payload.ValueKind != JsonValueKind.Object)
        {
            return null;
        }

        if (payload.TryGetProperty("taskId", out var taskId) && taskId.ValueKind == JsonValueKind.String)
        {
            return taskId.GetString();
        }

        if (payload.TryGetProperty("task", out var task) && task.ValueKind == JsonValueKind.Object
            && task.TryGetProperty("id", out var id) && id.ValueKind == JsonValueKind.String)
        {
            return id.GetString();
        }

        if (payload.TryGetProperty("createdTasks", out var created) && created.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in created.EnumerateArray())
            {
                if (entry.ValueKind == JsonValueKind.Object && entry.TryGetProperty("id", out var first) && first.ValueKind == JsonValueKind.String)
                {
                    return first.GetString();
                }
            }
        }

        return null;
    }
}
