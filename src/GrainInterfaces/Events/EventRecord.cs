using System.Text.Json;

namespace TaskService.Events;

/// <summary>An event received from a microservice, as recorded by TaskService.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.EventRecord")]
public sealed record EventRecord
{
    /// <summary>Idempotency id: the same id twice records one event.</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>The event key that event-to-workflow mappings match on.</summary>
    [Id(1)] public required string Key { get; init; }

    [Id(2)] public JsonElement Payload { get; init; }

    [Id(3)] public string? Source { get; init; }

    [Id(4)] public string? Description { get; init; }

    /// <summary>Milliseconds since the Unix epoch.</summary>
    [Id(5)] public long Timestamp { get; init; }

    /// <summary>The W3C <c>traceparent</c> the event arrived with (its HTTP request's trace, or a Kafka message's header); routing continues it.</summary>
    /// <remarks>Carried between grains only: not stored, not listed, not part of the event's public shape.</remarks>
    [Id(6), System.Text.Json.Serialization.JsonIgnore] public string? TraceParent { get; init; }

    /// <summary>
    /// Whether two records are the same event as their sender gave it: key, payload (as JSON, whatever its property order or
    /// number form), source and description. The timestamp, which the receiving service sets, is not compared.
    /// </summary>
    public static bool SameContent(EventRecord first, EventRecord second)
    {
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        return first.Key == second.Key && first.Source == second.Source && first.Description == second.Description
            && (first.Payload.ValueKind == JsonValueKind.Undefined || second.Payload.ValueKind == JsonValueKind.Undefined
                ? first.Payload.ValueKind == second.Payload.ValueKind
                : JsonElement.DeepEquals(first.Payload, second.Payload));
    }
}
