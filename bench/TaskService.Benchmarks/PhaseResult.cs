namespace TaskService.Benchmarks;

/// <summary>What one phase (warm-up or measured run) sent and got back.</summary>
internal sealed record PhaseResult
{
    public required string Name { get; init; }

    public required int Sent { get; init; }

    public required int Delivered { get; init; }

    /// <summary>Triggers that did not answer 202 even after retries (their events may still have been recorded).</summary>
    public required int FailedTriggers { get; init; }

    /// <summary>Trigger attempts that were retried (an error or a status other than 202).</summary>
    public required int RetriedTriggers { get; init; }

    /// <summary>Trigger answers 503 (backpressure); each such event was sent again after the Retry-After.</summary>
    public int RefusedTriggers { get; init; }

    /// <summary>The most events seen recorded and not yet routed (sampled once a second from the tables).</summary>
    public long MaxBacklog { get; init; }

    /// <summary>The open-loop send rate (events per second); null for a closed-loop phase.</summary>
    public double? Rate { get; init; }

    /// <summary>From the first trigger sent to the last trigger answered.</summary>
    public required TimeSpan SendDuration { get; init; }

    /// <summary>From the first trigger sent to the last webhook arrival (or the deadline).</summary>
    public required TimeSpan WallTime { get; init; }

    /// <summary>Trigger sent to webhook arrival, per delivered event.</summary>
    public required LatencySummary EndToEnd { get; init; }

    /// <summary>Trigger sent to its 202 answer.</summary>
    public required LatencySummary TriggerResponse { get; init; }

    /// <summary>
    /// The load process's own CPU time during the phase (sending triggers, receiving and checking webhooks, its progress reads):
    /// on one machine it shares the cores with the silo and PostgreSQL, so it bounds what the machine can carry too.
    /// </summary>
    public TimeSpan? LoadCpu { get; init; }

    /// <summary><see cref="LoadCpu"/> per delivered event, in milliseconds.</summary>
    public double? LoadCpuMsPerEvent => LoadCpu is { } cpu && Delivered > 0 ? cpu.TotalMilliseconds / Delivered : null;

    public double EventsPerSecond => WallTime > TimeSpan.Zero ? Delivered / WallTime.TotalSeconds : 0;

    public double TriggersPerSecond => SendDuration > TimeSpan.Zero ? Sent / SendDuration.TotalSeconds : 0;

    public bool Complete => Delivered == Sent && FailedTriggers == 0;
}
