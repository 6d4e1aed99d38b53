using System.Diagnostics.Metrics;

namespace TaskService.Storage.Postgres;

/// <summary>
/// Metrics of group commit (<see cref="PostgresCommandBatcher"/>) on the <c>TaskService.Storage</c> meter, by lane
/// (<c>taskservice.store.lane</c>; the store has one, <c>writes</c>): how many writes share each commit, and how long a commit
/// takes, which every write in it waits for.
/// </summary>
public static class GroupCommitInstruments
{
    public const string MeterName = "TaskService.Storage";

    /// <summary>The tag that names the lane of a batch.</summary>
    public const string LaneTag = "taskservice.store.lane";

    /// <summary>The name of <see cref="BatchWrites"/>.</summary>
    public const string BatchWritesName = "taskservice.store.batch_writes";

    /// <summary>The name of <see cref="BatchDuration"/>.</summary>
    public const string BatchDurationName = "taskservice.store.batch_duration";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Writes (callers) that each committed batch carried.</summary>
    public static readonly Histogram<int> BatchWrites = Meter.CreateHistogram<int>(
        BatchWritesName, "{write}", "Writes that one group-commit batch carried.",
        advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });

    /// <summary>How long each batch took, from taking its writes to its commit.</summary>
    public static readonly Histogram<double> BatchDuration = Meter.CreateHistogram<double>(
        BatchDurationName, "s", "How long a group-commit batch took, from taking its writes to its commit.");
}
