namespace TaskService.Events;

/// <summary>Names of the Orleans streams TaskService uses.</summary>
public static class StreamNames
{
    /// <summary>The stream provider that carries incoming events (memory streams embedded, Kafka in production).</summary>
    public const string Provider = "events";

    /// <summary>Namespace of incoming event streams; the stream key is the event key.</summary>
    public const string IncomingEvents = "task-service.events";
}
