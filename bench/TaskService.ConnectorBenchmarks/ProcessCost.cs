using System.Diagnostics;

namespace TaskService.ConnectorBenchmarks;

/// <summary>What this process (silo, producer and output reader together) spent so far, or between two points (a difference).</summary>
internal readonly record struct ProcessCost(TimeSpan CpuTime, long AllocatedBytes, int Gen0Collections, int Gen1Collections, int Gen2Collections, TimeSpan GcPause)
{
    public static ProcessCost Take()
    {
        using var process = Process.GetCurrentProcess();
        return new ProcessCost(process.TotalProcessorTime, GC.GetTotalAllocatedBytes(), GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2), GC.GetTotalPauseDuration());
    }

    public static ProcessCost operator -(ProcessCost after, ProcessCost before) => new(
        after.CpuTime - before.CpuTime,
        after.AllocatedBytes - before.AllocatedBytes,
        after.Gen0Collections - before.Gen0Collections,
        after.Gen1Collections - before.Gen1Collections,
        after.Gen2Collections - before.Gen2Collections,
        after.GcPause - before.GcPause);
}
