using System.Diagnostics;
using System.Diagnostics.Tracing;

namespace TaskService.Benchmarks;

/// <summary>
/// Records an EventPipe trace of this process with <c>dotnet-trace</c> while a phase runs (<c>--profile</c>): CPU samples
/// (every managed thread's stack about once a millisecond) and the runtime's GC events at verbose level, which include an
/// AllocationTick with the allocating stack about every 100 KB allocated. dotnet-trace runs as a child process attached to
/// this one; <see cref="StopAsync"/> writes the event dotnet-trace was told to stop at (a signal would not do: a script run in
/// the background starts its children with SIGINT ignored), so it ends the session and writes the rundown.
/// bench/TaskService.TraceSummary reads the file.
/// </summary>
internal sealed class TraceRecorder : IAsyncDisposable
{
    /// <summary>
    /// The sample profiler, and the runtime provider at level 5 (verbose) with the keywords GC (0x1: collections, suspensions
    /// and, at verbose, the AllocationTick), loader (0x8), JIT (0x10) and NGen (0x20) (with the rundown, these name the methods),
    /// contention (0x4000) and exceptions (0x8000). Leaner than dotnet-trace's cpu-sampling profile at verbose level, whose
    /// heap-survival and type events make the trace several times larger and its rundown slow.
    /// </summary>
    public const string Providers = "Microsoft-DotNETCore-SampleProfiler,Microsoft-Windows-DotNETRuntime:0xC039:5," + StopSource.SourceName;

    private readonly Process _process;

    private TraceRecorder(Process process, string output)
    {
        _process = process;
        Output = output;
    }

    public string Output { get; }

    /// <summary>Attaches dotnet-trace to this process and returns once it records (its output file exists).</summary>
    public static async Task<TraceRecorder> StartAsync(string dotnetTrace, string output, CancellationToken cancellationToken)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(output))!);
        File.Delete(output);
        var start = new ProcessStartInfo(dotnetTrace)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in new[]
                 {
                     "collect", "-p", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), "-o", output, "--providers", Providers,
                     "--stopping-event-provider-name", StopSource.SourceName, "--stopping-event-event-name", nameof(StopSource.PhaseEnded),
                 })
        {
            start.ArgumentList.Add(argument);
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException($"{dotnetTrace} did not start.");
        var recorder = new TraceRecorder(process, output);
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, e) =>
        {
            if (!string.IsNullOrWhiteSpace(e.Data))
            {
                Console.Error.WriteLine($"[profile] dotnet-trace: {e.Data}");
            }
        };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        var deadline = Stopwatch.StartNew();
        while (!File.Exists(output) || new FileInfo(output).Length == 0)
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"dotnet-trace exited with code {process.ExitCode} before recording.");
            }

            if (deadline.Elapsed > TimeSpan.FromSeconds(30))
            {
                await recorder.DisposeAsync();
                throw new TimeoutException("dotnet-trace did not start recording within 30 s.");
            }

            await Task.Delay(50, cancellationToken);
        }

        return recorder;
    }

    /// <summary>
    /// Ends the session (the stopping event) and waits until dotnet-trace has written the whole file (the rundown that names the methods
    /// can take minutes on a busy machine). False when it had not finished after <paramref name="patience"/>: it is then
    /// stopped and the file is incomplete. Never throws: a profile that failed must not fail the benchmark.
    /// </summary>
    public async Task<bool> StopAsync(TimeSpan patience)
    {
        if (_process.HasExited)
        {
            return _process.ExitCode == 0;
        }

        try
        {
            StopSource.Log.PhaseEnded();
            using var timeout = new CancellationTokenSource(patience);
            await _process.WaitForExitAsync(timeout.Token);
            return _process.ExitCode == 0;
        }
        catch (Exception exception) when (exception is OperationCanceledException or System.ComponentModel.Win32Exception or InvalidOperationException)
        {
            Console.Error.WriteLine($"[profile] dotnet-trace did not finish the trace within {patience.TotalSeconds:0} s ({exception.GetType().Name}); stopping it, the trace is incomplete.");
            _process.Kill();
            return false;
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(TimeSpan.FromSeconds(30));
        _process.Dispose();
    }

    /// <summary>The event dotnet-trace stops at (<c>--stopping-event-*</c>): the measured phase ended.</summary>
    [EventSource(Name = SourceName)]
    private sealed class StopSource : EventSource
    {
        public const string SourceName = "TaskService-Benchmark";

        public static readonly StopSource Log = new();

        [Event(1, Level = EventLevel.Informational)]
        public void PhaseEnded() => WriteEvent(1);
    }
}
