using Microsoft.Diagnostics.Tracing.Etlx;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace TaskService.TraceSummary;

/// <summary>The figures of one .nettrace: CPU samples by method and component, allocation ticks by type and site, GC pauses, lock contention.</summary>
internal sealed class TraceAnalysis
{
    private const string SampleProvider = "Microsoft-DotNETCore-SampleProfiler";

    /// <summary>Samples of running threads by leaf method.</summary>
    public Tally<string> Exclusive { get; } = new();

    /// <summary>Samples of running threads with the method anywhere on the stack (once per sample).</summary>
    public Tally<string> Inclusive { get; } = new();

    /// <summary>Samples of running threads by the component of their <see cref="Frames.Owner"/>.</summary>
    public Tally<string> Components { get; } = new();

    public int Samples { get; private set; }

    public int WaitingSamples { get; private set; }

    /// <summary>Samples of threads held at a safe point: for a GC, or for the sample profiler's own suspension.</summary>
    public int GcSuspendedSamples { get; private set; }

    /// <summary>Samples of threads inside a native call that may block (<see cref="Frames.IsInNativeCall"/>).</summary>
    public int NativeCallSamples { get; private set; }

    /// <summary>Running samples spent entering a contended lock, by the owner of their stack.</summary>
    public Tally<string> LockWaits { get; } = new();

    public int Threads => _threads.Count;

    /// <summary>Bytes allocated per type, estimated from the AllocationTicks (each stands for the ~100 KB allocated since the previous one).</summary>
    public Tally<string> AllocatedTypes { get; } = new();

    public Dictionary<string, Tally<string>> SitesByType { get; } = [];

    /// <summary>Bytes allocated per site (<see cref="Frames.Owner"/> of the tick's stack).</summary>
    public Tally<string> AllocationSites { get; } = new();

    public double GcPauseMilliseconds { get; private set; }

    /// <summary>Time from each GC's start to its end (background GCs run beside the program), summed.</summary>
    public double GcMilliseconds { get; private set; }

    public int[] Collections { get; } = new int[3];

    /// <summary>Contention/Start events (a thread had to wait for a lock) by the owner of their stack.</summary>
    public Tally<string> Contention { get; } = new();

    public double DurationMilliseconds { get; private set; }

    public Tally<string> EventNames { get; } = new();

    private readonly HashSet<int> _threads = [];

    /// <summary>With <see cref="Read"/>'s <c>stacksOf</c>: the stacks (leaf first, 40 frames) of running samples that hold a frame containing that text.</summary>
    public Tally<string> Stacks { get; } = new();

    private string? _stacksOf;

    public static TraceAnalysis Read(string nettrace, string? stacksOf = null)
    {
        var analysis = new TraceAnalysis { _stacksOf = stacksOf };
        var etlx = TraceLog.CreateFromEventPipeDataFile(nettrace);
        try
        {
            using var log = new TraceLog(etlx);
            double? first = null, last = null, suspendedAt = null;
            var gcStarts = new Dictionary<int, double>();
            foreach (var data in log.Events)
            {
                analysis.EventNames.Add($"{data.ProviderName}/{data.EventName}");
                var time = data.TimeStampRelativeMSec;
                first ??= time;
                last = time;
                switch (data)
                {
                    case GCAllocationTickTraceData tick:
                        analysis.AddAllocation(tick.TypeName ?? "?", tick.AllocationAmount64, Frames.Of(data.CallStack()));
                        break;
                    case GCStartTraceData start:
                        analysis.Collections[Math.Clamp(start.Depth, 0, 2)]++;
                        gcStarts[start.Count] = time;
                        break;
                    case GCEndTraceData end when gcStarts.Remove(end.Count, out var started):
                        analysis.GcMilliseconds += time - started;
                        break;
                    case GCSuspendEETraceData suspend:
                        // Only suspensions for a GC: the sample profiler and the debugger suspend the runtime too.
                        suspendedAt = suspend.Reason is GCSuspendEEReason.SuspendForGC or GCSuspendEEReason.SuspendForGCPrep ? time : null;
                        break;
                    case ContentionStartTraceData:
                        analysis.Contention.Add(Frames.Owner(Frames.Of(data.CallStack())));
                        break;
                    default:
                        if (data.EventName == "GC/RestartEEStop" && suspendedAt is { } suspended)
                        {
                            analysis.GcPauseMilliseconds += time - suspended;
                            suspendedAt = null;
                        }
                        else if (data.ProviderName == SampleProvider)
                        {
                            analysis._threads.Add(data.ThreadID);
                            analysis.AddSample(Frames.Of(data.CallStack()));
                        }

                        break;
                }
            }

            analysis.DurationMilliseconds = last - first ?? 0;
        }
        finally
        {
            File.Delete(etlx);
        }

        return analysis;
    }

    private void AddSample(List<string> frames)
    {
        Samples++;
        if (Frames.IsWaiting(frames))
        {
            WaitingSamples++;
            return;
        }

        if (Frames.IsSuspendedForGc(frames))
        {
            GcSuspendedSamples++;
            return;
        }

        if (Frames.IsInNativeCall(frames))
        {
            NativeCallSamples++;
            return;
        }

        if (Frames.IsLockWait(frames))
        {
            LockWaits.Add(Frames.Owner(frames));
        }

        Exclusive.Add(Frames.Leaf(frames));
        AddStack(frames, 1);
        foreach (var method in frames.Where(frame => !Frames.IsPlumbing(frame)).Distinct())
        {
            Inclusive.Add(method);
        }

        Components.Add(Frames.Component(Frames.Owner(frames)));
    }

    private void AddStack(List<string> frames, double amount)
    {
        if (_stacksOf is { } text && frames.Any(frame => frame.Contains(text, StringComparison.Ordinal)))
        {
            Stacks.Add(string.Join("\n      <- ", frames.Where(frame => !frame.EndsWith("!?", StringComparison.Ordinal)).Take(40)), amount);
        }
    }

    private void AddAllocation(string type, long bytes, List<string> frames)
    {
        var owner = Frames.Owner(frames);
        var immediate = frames.FirstOrDefault(frame => !frame.EndsWith("!?", StringComparison.Ordinal)) ?? owner;
        var site = immediate == owner ? owner : $"{owner} (in {immediate})";
        AllocatedTypes.Add(type, bytes);
        AllocationSites.Add(owner, bytes);
        if (!SitesByType.TryGetValue(type, out var sites))
        {
            sites = new Tally<string>();
            SitesByType[type] = sites;
        }

        sites.Add(site, bytes);
    }
}
