using Microsoft.Diagnostics.Tracing.Etlx;

namespace TaskService.TraceSummary;

/// <summary>How a stack's frames are named and grouped for the summary.</summary>
internal static class Frames
{
    /// <summary>
    /// Leaf frames of a thread that is blocked rather than running: the sample profiler samples every managed thread, busy
    /// or not, so samples whose leaf is one of these are counted as waiting and left out of the CPU tables.
    /// </summary>
    private static readonly string[] WaitingLeaves =
    [
        "System.Threading.WaitHandle.Wait",
        "System.Threading.Monitor.Wait",
        "System.Threading.LowLevelLifoSemaphore.Wait",
        "System.Threading.LowLevelMonitor.Wait",
        "System.Threading.LowLevelSpinWaiter.Wait",
        "System.Threading.Thread.Sleep",
        "System.Threading.Thread.Join",
        "System.Threading.ManualResetEventSlim.Wait",
        "System.Threading.SemaphoreSlim.Wait",
        "System.Threading.WaitSubsystem",
        "Interop+Sys.WaitForSocketEvents",
        "System.Net.Sockets.SocketAsyncEngine.EventLoop",
        "Interop+Sys.Poll",
        "Interop+Sys.Read",
        "Interop+Sys.Select",
        "System.Threading.PortableThreadPool+GateThread",
        "System.Threading.TimerQueue.WaitForTimer",
        "System.Threading.Tasks.Task.SpinThenBlockingWait",
        "System.Threading.Tasks.Task.InternalWaitCore",
        "System.Threading.PortableThreadPool+WorkerThread.WorkerThreadStart",
        "System.Console",
        "System.IO.StreamReader.ReadLine",
    ];

    /// <summary>Plumbing every asynchronous continuation runs under: left out of the inclusive table, where it would fill the top.</summary>
    private static readonly string[] PlumbingPrefixes =
    [
        "System.Threading.",
        "System.Runtime.CompilerServices.",
        "System.Private.CoreLib!",
        "?!",
    ];

    /// <summary>With <c>--owner PREFIX</c>: work is charged to the first frame starting with it (say <c>TaskService.</c>) where there is one.</summary>
    public static string? OwnerPrefix { get; set; }

    /// <summary>The method of a frame, without its parameter list; <c>module!?</c> when the trace could not name it.</summary>
    public static string Name(TraceCallStack frame)
    {
        var address = frame.CodeAddress;
        var method = address.FullMethodName;
        if (string.IsNullOrEmpty(method))
        {
            return $"{(string.IsNullOrEmpty(address.ModuleName) ? "?" : address.ModuleName)}!?";
        }

        var parameters = method.IndexOf('(', StringComparison.Ordinal);
        return parameters > 0 ? method[..parameters] : method;
    }

    /// <summary>The frames of a stack, leaf first.</summary>
    public static List<string> Of(TraceCallStack? stack)
    {
        var frames = new List<string>();
        for (var frame = stack; frame is not null; frame = frame.Caller)
        {
            frames.Add(Name(frame));
        }

        return frames;
    }

    /// <summary>Waits for a lock: the thread spins, then blocks, until the holder releases it.</summary>
    private static readonly string[] LockLeaves =
    [
        "System.Threading.Monitor.Enter_Slowpath",
        "System.Threading.Monitor.ReliableEnter",
        "System.Threading.Lock.TryEnterSlow",
        "System.Threading.Lock.EnterAndGetCurrentThreadId",
        "System.Threading.SpinWait.SpinOnce",
    ];

    /// <summary>The first frame the trace could name (native frames at the leaf are not).</summary>
    public static string Leaf(List<string> frames) =>
        frames.FirstOrDefault(frame => !frame.EndsWith("!?", StringComparison.Ordinal)) ?? "(native)";

    public static bool IsWaiting(List<string> frames) =>
        frames.Count == 0 || WaitingLeaves.Any(leaf => Leaf(frames).StartsWith(leaf, StringComparison.Ordinal));

    /// <summary>
    /// A thread inside a native call that may block: a socket system call, or librdkafka waiting for messages or deliveries. The
    /// sampler reports a thread in native code with its managed stack whether it runs, waits or has been preempted, and on
    /// loopback the woken peer (PostgreSQL, a client) runs on the same cores, so these samples say little about this process's
    /// CPU (its user and system time, in /proc, are the measure of that).
    /// </summary>
    public static bool IsInNativeCall(List<string> frames) =>
        NativeCallLeaves.Any(leaf => Leaf(frames).StartsWith(leaf, StringComparison.Ordinal));

    private static readonly string[] NativeCallLeaves =
    [
        "System.Net.Sockets.SocketPal.TryComplete",
        "Confluent.Kafka.Consumer`2[System.__Canon,System.__Canon].Consume",
        "Confluent.Kafka.Impl.SafeKafkaHandle.Poll",
        "Confluent.Kafka.Impl.Librdkafka.poll",
        "Confluent.Kafka.Impl.Librdkafka.consumer_poll",
        "Confluent.Kafka.Impl.Librdkafka.queue_poll",
        "Confluent.Kafka.Impl.Librdkafka.flush",
    ];

    /// <summary>A thread that stopped at a safe point because a GC suspended the process.</summary>
    public static bool IsSuspendedForGc(List<string> frames) =>
        Leaf(frames).StartsWith("System.Threading.Thread.<PollGC>", StringComparison.Ordinal);

    public static bool IsLockWait(List<string> frames) =>
        LockLeaves.Any(leaf => Leaf(frames).StartsWith(leaf, StringComparison.Ordinal));

    public static bool IsPlumbing(string frame) =>
        PlumbingPrefixes.Any(prefix => frame.StartsWith(prefix, StringComparison.Ordinal));

    /// <summary>
    /// The frame the work is charged to: from the leaf towards the root, the first method outside the base library
    /// (<c>System.*</c>, unnamed frames): the code of ours, Orleans, Npgsql or ASP.NET Core that called into it.
    /// </summary>
    public static string Owner(List<string> frames) =>
        (OwnerPrefix is { } prefix ? frames.FirstOrDefault(frame => frame.StartsWith(prefix, StringComparison.Ordinal)) : null) ??
        frames.FirstOrDefault(frame => !frame.StartsWith("System.", StringComparison.Ordinal) && !frame.EndsWith("!?", StringComparison.Ordinal) && !frame.StartsWith("Interop", StringComparison.Ordinal))
        ?? (frames.Count > 0 ? frames[0] : "(no stack)");

    /// <summary>The component of a method: its first two namespace segments (<c>TaskService.Grains</c>, <c>Orleans.Runtime</c>, <c>Npgsql</c>).</summary>
    public static string Component(string method)
    {
        var bang = method.IndexOf('!', StringComparison.Ordinal);
        if (bang >= 0)
        {
            return method[..bang];
        }

        var segments = method.Split('.');
        return segments.Length switch
        {
            <= 2 => segments[0],
            _ => $"{segments[0]}.{segments[1]}",
        };
    }
}
