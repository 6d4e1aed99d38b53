namespace TaskService.ConnectorBenchmarks;

/// <summary>
/// One connector under measurement: where events go in (a Kafka topic, an SQS queue), how many of them are still waiting there,
/// and where task-created comes out.
/// </summary>
internal interface IBenchTransport : IAsyncDisposable
{
    /// <summary>What the summary line names: the connector, its broker or server, and how it is partitioned.</summary>
    string Description { get; }

    /// <summary>The silo's configuration for this connector, as command-line arguments.</summary>
    IReadOnlyList<string> SiloArguments { get; }

    /// <summary>The event keys the events arrive under, each mapped to the benchmark's workflow.</summary>
    IReadOnlyList<string> EventKeys { get; }

    /// <summary>Distinct task-created events that came out so far.</summary>
    int Published { get; }

    /// <summary>When the latest of them came out, as a <see cref="System.Diagnostics.Stopwatch"/> timestamp.</summary>
    long LastPublishedAt { get; }

    /// <summary>For each of them, how long after the event went in it came out, in milliseconds.</summary>
    IReadOnlyCollection<double> PublishLatencies { get; }

    /// <summary>When each of them came out, as <see cref="System.Diagnostics.Stopwatch"/> timestamps.</summary>
    IReadOnlyCollection<long> PublishedAt { get; }

    /// <summary>Creates the topics or queues (before the silo starts) and starts reading the output.</summary>
    Task PrepareAsync();

    /// <summary>Sends events <paramref name="from"/> (inclusive) to <paramref name="to"/> (exclusive), as fast as the transport takes them.</summary>
    Task ProduceAsync(int from, int to);

    /// <summary>Events sent in but not yet taken over by the service (Kafka: lag behind the committed offsets; SQS: messages left in the queue).</summary>
    Task<long> BacklogAsync();
}
