using System.Diagnostics;

namespace TaskService.Benchmarks;

/// <summary>
/// Memory, CPU (all of it, and the part spent in the kernel: system calls, socket work, wake-ups) and GC figures of this
/// process (the silo's), and the thread-pool work items it has completed: each hop of an
/// event from one thread to another is one, and between bursts each may cost a thread's wake-up.
/// </summary>
internal sealed record ProcessSnapshot(
    long WorkingSetBytes,
    long PeakWorkingSetBytes,
    long GcHeapBytes,
    long GcCommittedBytes,
    long AllocatedBytes,
    TimeSpan CpuTime,
    TimeSpan KernelCpuTime,
    int Gen0Collections,
    int Gen1Collections,
    int Gen2Collections,
    int ThreadCount,
    long ThreadPoolWorkItems)
{
    public static ProcessSnapshot Take()
    {
        using var process = Process.GetCurrentProcess();
        var gc = GC.GetGCMemoryInfo();
        return new ProcessSnapshot(
            process.WorkingSet64,
            process.PeakWorkingSet64,
            gc.HeapSizeBytes,
            gc.TotalCommittedBytes,
            GC.GetTotalAllocatedBytes(),
            process.TotalProcessorTime,
            process.PrivilegedProcessorTime,
            GC.CollectionCount(0),
            GC.CollectionCount(1),
            GC.CollectionCount(2),
            process.Threads.Count,
            ThreadPool.CompletedWorkItemCount);
    }

    /// <summary>The managed heap that stays after a full, compacting collection: what the process actually holds on to.</summary>
    public static long RetainedHeapBytes()
    {
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
        return GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes;
    }
}
