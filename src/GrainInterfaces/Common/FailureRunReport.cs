namespace TaskService.Common;

/// <summary>
/// Where a <see cref="FailureRun"/> stands: <paramref name="Failures"/> so far over <paramref name="Elapsed"/> since the first
/// (rounded to the second), and whether this failure is one to say at Warning.
/// </summary>
public readonly record struct FailureRunReport(int Failures, TimeSpan Elapsed, bool Warn)
{
    /// <summary>The run's first failure: the one that says what is wrong and what to check.</summary>
    public bool IsFirst => Failures == 1;

    /// <summary><see cref="Elapsed"/> to the second, for a log line.</summary>
    public TimeSpan ElapsedSeconds => TimeSpan.FromSeconds(Math.Round(Elapsed.TotalSeconds));
}
