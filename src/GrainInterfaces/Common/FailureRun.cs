namespace TaskService.Common;

/// <summary>
/// A run of consecutive failures of one thing that keeps failing the same way (a server that cannot be reached), and which of
/// its failures to say at Warning: the first, then at most one every <see cref="WarningInterval"/> while the run lasts; the
/// others belong at Debug. <see cref="Succeed"/> ends the run and tells whether there was one to say is over. Safe to share
/// between concurrent loops that try the same thing, so they say it once between them.
/// </summary>
public sealed class FailureRun(TimeProvider time)
{
    /// <summary>How often a warning repeats while the failures go on.</summary>
    public static readonly TimeSpan WarningInterval = TimeSpan.FromMinutes(1);

    private readonly Lock _lock = new();
    private int _failures;
    private long _startedAt;
    private long _warnedAt;

    /// <summary>Failures of the current run; 0 when the last attempt worked.</summary>
    public int Failures => Volatile.Read(ref _failures);

    /// <summary>Counts a failure; says whether to warn about it.</summary>
    public FailureRunReport Fail()
    {
        lock (_lock)
        {
            var now = time.GetTimestamp();
            if (++_failures == 1)
            {
                _startedAt = now;
                _warnedAt = now;
                return new FailureRunReport(1, TimeSpan.Zero, Warn: true);
            }

            var warn = time.GetElapsedTime(_warnedAt, now) >= WarningInterval;
            if (warn)
            {
                _warnedAt = now;
            }

            return new FailureRunReport(_failures, time.GetElapsedTime(_startedAt, now), warn);
        }
    }

    /// <summary>Ends the current run: what it was (to say once that it is over), or null when there was none.</summary>
    public FailureRunReport? Succeed()
    {
        if (Volatile.Read(ref _failures) == 0)
        {
            return null;
        }

        lock (_lock)
        {
            if (_failures == 0)
            {
                return null;
            }

            var ended = new FailureRunReport(_failures, time.GetElapsedTime(_startedAt), Warn: false);
            _failures = 0;
            return ended;
        }
    }
}
