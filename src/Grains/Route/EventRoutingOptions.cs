using System.ComponentModel.DataAnnotations;

namespace TaskService.Events;

/// <summary>How events are routed, how much may wait, and how lost ones are found again. Bound from <c>TaskService:Events</c>.</summary>
public sealed class EventRoutingOptions
{
    public const string SectionName = "TaskService:Events";

    /// <summary>How often every silo looks for recorded events whose workflows were not started.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long an event may wait for routing before it counts as lost and is routed again. Right after a silo starts, every
    /// event recorded before its start and not routed is routed at once (a restart lost what the old process held).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan RoutingGracePeriod { get; set; } = TimeSpan.FromMinutes(2);

    [Range(1, 10_000)]
    public int SweepBatchSize { get; set; } = 500;

    /// <summary>
    /// Events a silo's routers may hold (waiting or being routed) before new ones are refused: <c>POST /events/trigger</c>
    /// answers 503 with Retry-After and Kafka partitions stop being read until the backlog shrinks. The default is about two
    /// seconds of work on 2 cores with PostgreSQL on the same machine (2,000-2,600 events/s): enough to ride out a burst, not
    /// so much that an overloaded silo queues work for longer than a sender would wait.
    /// </summary>
    [Range(1, 1_000_000)]
    public int MaxBacklog { get; set; } = 5000;

    /// <summary>
    /// Events one router (one event key) routes at the same time; the others wait in its queue, in arrival order. A routing
    /// lasts until its instance is written, with the commands due at its start (create-tasks) done: several round trips, most
    /// of them waiting for a shared commit, so the bound is set well above what keeps the CPU busy (writes then share commits).
    /// </summary>
    [Range(1, 10_000)]
    public int MaxConcurrentRoutings { get; set; } = 256;

    /// <summary>What a refused sender is told to wait (the Retry-After header).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan RetryAfter { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>
    /// How long a Kafka delivery waits for room in a full backlog before it takes the event anyway (recorded, routed when its
    /// turn comes); the wait is what pauses the partition. Keep it well under Orleans' response timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:20")]
    public TimeSpan StreamBackpressureWait { get; set; } = TimeSpan.FromSeconds(5);
}
