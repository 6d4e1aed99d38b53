using System.Text.Json;

namespace TaskService.Events;

/// <summary>
/// A lifecycle event TaskService publishes to its outgoing connectors (webhooks, Kafka).
/// Its JSON form <c>{id, key, payload, timestamp, source}</c> is the webhook body.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.OutgoingEvent")]
public sealed record OutgoingEvent
{
    /// <summary>Stable id receivers can deduplicate on; a retried publication keeps it.</summary>
    [Id(0)] public required string Id { get; init; }

    /// <summary>One of <see cref="OutgoingEventTypes"/>.</summary>
    [Id(1)] public required string Key { get; init; }

    [Id(2)] public JsonElement Payload { get; init; }

    /// <summary>Milliseconds since the Unix epoch.</summary>
    [Id(3)] public long Timestamp { get; init; }

    [Id(4)] public string Source { get; init; } = OutgoingEventTypes.Source;

    /// <summary>
    /// The W3C <c>traceparent</c> of the work that produced the event, when it was traced: deliveries continue that trace and
    /// carry it to receivers (HTTP header, Kafka header). Not part of the webhook body.
    /// </summary>
    [Id(5)] public string? TraceParent { get; init; }
}
