using System.Diagnostics.Tracing;

namespace TaskService.Benchmarks;

/// <summary>
/// Every pause of this process (the silo's) for a garbage collection, from the runtime's own GC events: from the moment the
/// runtime began suspending the threads to the moment it let them run again. A pause stops every request and every batch in
/// flight, so the longest pauses of a phase show up in its latency percentiles as clusters of slow events. Collections that
/// code asked for (the benchmark's own full collections that measure the retained heap) are left out: the runtime reports
/// them a little after they ran, so they would land in the next phase's figures.
/// </summary>
internal sealed class GcPauses : EventListener
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private const EventKeywords GcKeyword = (EventKeywords)0x1;
    private const int GcStart = 1;
    private const int RestartEnd = 3;
    private const int SuspendBegin = 9;

    private readonly Lock _gate = new();
    private readonly List<GcPause> _pauses = [];
    private DateTime? _suspendedAt;
    private int _generation;
    private bool _induced;

    /// <summary>Pauses so far (a snapshot): take one before and one after a phase and compare with <see cref="Between"/>.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _pauses.Count;
            }
        }
    }

    /// <summary>The pauses recorded from the <paramref name="from"/>-th on.</summary>
    public PauseSummary Between(int from)
    {
        lock (_gate)
        {
            var pauses = _pauses.Skip(from).ToArray();
            var longest = pauses.Length > 0 ? pauses.MaxBy(p => p.Milliseconds) : default;
            return new PauseSummary(
                pauses.Length,
                pauses.Sum(p => p.Milliseconds),
                longest.Milliseconds,
                longest.Generation,
                pauses.Count(p => p.Milliseconds >= 10));
        }
    }

    protected override void OnEventSourceCreated(EventSource eventSource)
    {
        if (eventSource.Name == RuntimeProvider)
        {
            EnableEvents(eventSource, EventLevel.Informational, GcKeyword);
        }
    }

    protected override void OnEventWritten(EventWrittenEventArgs eventData)
    {
        lock (_gate)
        {
            switch (eventData.EventId)
            {
                case SuspendBegin:
                    _suspendedAt = eventData.TimeStamp;
                    break;
                case GcStart when eventData.Payload is { Count: > 1 } payload && payload[1] is uint depth:
                    _generation = (int)depth;
                    _induced = payload.Count > 2 && payload[2] is uint reason && IsInduced(reason);
                    break;
                case RestartEnd when _suspendedAt is { } since:
                    if (!_induced)
                    {
                        _pauses.Add(new GcPause((eventData.TimeStamp - since).TotalMilliseconds, _generation));
                    }

                    _suspendedAt = null;
                    _generation = 0;
                    _induced = false;
                    break;
            }
        }
    }

    /// <summary>The GC start reasons of a collection asked for by code: Induced (1), InducedNotForced (7), InducedCompacting (10).</summary>
    private static bool IsInduced(uint reason) => reason is 1 or 7 or 10;

    private readonly record struct GcPause(double Milliseconds, int Generation);
}

/// <summary>A phase's GC pauses: how many, their sum, the longest (and the generation it collected), and those of 10 ms or more.</summary>
internal sealed record PauseSummary(int Count, double TotalMs, double LongestMs, int LongestGeneration, int AtLeast10Ms);
