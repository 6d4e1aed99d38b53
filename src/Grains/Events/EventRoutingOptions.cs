using System.ComponentModel.DataAnnotations;

namespace TaskService.Events;

/// <summary>How recorded events that were never routed are found again. Bound from <c>TaskService:Events</c>.</summary>
public sealed class EventRoutingOptions
{
    public const string SectionName = "TaskService:Events";

    /// <summary>How often every silo looks for recorded events whose workflows were not started.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan SweepInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long an event may wait for routing before it counts as lost and is routed again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "01:00:00")]
    public TimeSpan RoutingGracePeriod { get; set; } = TimeSpan.FromMinutes(2);

    [Range(1, 10_000)]
    public int SweepBatchSize { get; set; } = 500;
}
