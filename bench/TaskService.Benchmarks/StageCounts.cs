using System.Globalization;

namespace TaskService.Benchmarks;

/// <summary>
/// How far the events got, read from the service's tables: recorded, routed (workflows started), workflow instances, tasks,
/// outbox rows, and outbox rows dispatched to the subscription grains. Printed with the progress, where a stage that falls
/// behind the one before it is the bottleneck.
/// </summary>
internal sealed record StageCounts(long Recorded, long Routed, long Instances, long Tasks, long Outbox, long Dispatched)
{
    public static StageCounts Zero { get; } = new(0, 0, 0, 0, 0, 0);

    public StageCounts Minus(StageCounts baseline) => new(
        Recorded - baseline.Recorded, Routed - baseline.Routed, Instances - baseline.Instances, Tasks - baseline.Tasks,
        Outbox - baseline.Outbox, Dispatched - baseline.Dispatched);

    /// <summary>These counts with none below zero (a count read from the statistics may lag behind its exact baseline).</summary>
    public StageCounts AtLeastZero() => new(
        Math.Max(Recorded, 0), Math.Max(Routed, 0), Math.Max(Instances, 0), Math.Max(Tasks, 0), Math.Max(Outbox, 0), Math.Max(Dispatched, 0));

    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"recorded {Recorded} routed {Routed} instances {Instances} tasks {Tasks} outbox {Outbox} dispatched {Dispatched}");
}
