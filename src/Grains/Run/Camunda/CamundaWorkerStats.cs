namespace TaskService.Workflows.Camunda;

/// <summary>What the worker of this silo has done so far: for health checks, diagnostics and tests.</summary>
public sealed class CamundaWorkerStats
{
    private long _polls;
    private long _failedPolls;
    private long _fetched;
    private long _completed;
    private long _failed;
    private long _inFlight;
    private long _maxInFlight;
    private long _lastBackoffTicks;
    private int _consecutiveFailures;

    /// <summary>fetchAndLock requests answered.</summary>
    public long Polls => Interlocked.Read(ref _polls);

    /// <summary>fetchAndLock requests that failed (engine unreachable or refusing).</summary>
    public long FailedPolls => Interlocked.Read(ref _failedPolls);

    /// <summary>Failed polls since the last one that succeeded; 0 while the engine answers.</summary>
    public int ConsecutiveFailures => Volatile.Read(ref _consecutiveFailures);

    /// <summary>The pause after the most recent failed poll.</summary>
    public TimeSpan LastBackoff => TimeSpan.FromTicks(Interlocked.Read(ref _lastBackoffTicks));

    public long Fetched => Interlocked.Read(ref _fetched);

    /// <summary>External tasks reported complete.</summary>
    public long Completed => Interlocked.Read(ref _completed);

    /// <summary>External tasks reported as failed.</summary>
    public long Failed => Interlocked.Read(ref _failed);

    /// <summary>External tasks being handled now.</summary>
    public long InFlight => Interlocked.Read(ref _inFlight);

    /// <summary>The most external tasks handled at the same time.</summary>
    public long MaxInFlight => Interlocked.Read(ref _maxInFlight);

    internal void PollSucceeded(int fetched)
    {
        Interlocked.Increment(ref _polls);
        Interlocked.Add(ref _fetched, fetched);
        Volatile.Write(ref _consecutiveFailures, 0);
    }

    internal int PollFailed(TimeSpan backoff)
    {
        Interlocked.Increment(ref _failedPolls);
        Interlocked.Exchange(ref _lastBackoffTicks, backoff.Ticks);
        return Volatile.Read(ref _consecutiveFailures);
    }

    internal int NextFailure() => Interlocked.Increment(ref _consecutiveFailures);

    internal void Started()
    {
        var now = Interlocked.Increment(ref _inFlight);
        long max;
        while (now > (max = Interlocked.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max)
        {
        }
    }

    internal void Finished(bool completed)
    {
        Interlocked.Decrement(ref _inFlight);
        Interlocked.Increment(ref completed ? ref _completed : ref _failed);
    }
}
