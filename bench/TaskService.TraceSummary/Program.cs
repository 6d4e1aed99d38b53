using System.Globalization;

namespace TaskService.TraceSummary;

/// <summary>
/// Prints where a benchmark phase spent CPU and what it allocated, from the .nettrace that <c>scripts/bench.sh --profile</c>
/// records: <c>dotnet run -c Release --project bench/TaskService.TraceSummary -- TRACE.nettrace [--top N] [--events E]</c>.
/// With <c>--events</c> (the events the phase carried) allocations are also shown per event; <c>--type T</c> lists every site
/// allocating type T instead, <c>--stacks TEXT</c> the commonest stacks through frames containing TEXT; <c>--owner PREFIX</c> charges work to the first frame starting with
/// PREFIX (for example <c>TaskService.</c>: which of our calls made Orleans or Npgsql work).
/// </summary>
public static class Program
{
    private const int Width = 120;

    public static int Main(string[] args)
    {
        string? path = null;
        var top = 25;
        var events = 0;
        var verbose = false;
        string? type = null;
        string? stacks = null;
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--top" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var n) && n > 0: top = n; i++; break;
                case "--events" when i + 1 < args.Length && int.TryParse(args[i + 1], CultureInfo.InvariantCulture, out var e) && e > 0: events = e; i++; break;
                case "--verbose": verbose = true; break;
                case "--type" when i + 1 < args.Length: type = args[++i]; break;
                case "--stacks" when i + 1 < args.Length: stacks = args[++i]; break;
                case "--owner" when i + 1 < args.Length: Frames.OwnerPrefix = args[++i]; break;
                case var arg when !arg.StartsWith("--", StringComparison.Ordinal) && path is null: path = arg; break;
                default:
                    Console.Error.WriteLine("Usage: TaskService.TraceSummary TRACE.nettrace [--top N] [--events E] [--verbose] [--type T] [--stacks TEXT] [--owner PREFIX]");
                    return 2;
            }
        }

        if (path is null || !File.Exists(path))
        {
            Console.Error.WriteLine($"No trace file '{path}'. Usage: TaskService.TraceSummary TRACE.nettrace [--top N] [--events E]");
            return 2;
        }

        var analysis = TraceAnalysis.Read(path, stacks);
        if (stacks is not null)
        {
            // The commonest stacks of running samples through a method, whole (the table would cut them).
            Console.WriteLine(F($"Stacks of running samples holding '{stacks}' ({analysis.Stacks.Total:0} samples)"));
            foreach (var (stack, count) in analysis.Stacks.Top(top))
            {
                Console.WriteLine(F($"  {100 * count / Math.Max(1, analysis.Stacks.Total),5:0.0}%  {count,6:0}  {stack}"));
            }

            return 0;
        }

        if (type is not null)
        {
            // One type's allocating sites, all of them (--top at most).
            var sites = analysis.SitesByType.GetValueOrDefault(type) ?? new Tally<string>();
            Table(Console.Out, F($"Sites allocating {type}"), sites, top, analysis.AllocatedTypes.Total, Bytes);
            return 0;
        }

        Print(analysis, top, events, verbose, Console.Out);
        return 0;
    }

    private static void Print(TraceAnalysis a, int top, int events, bool verbose, TextWriter output)
    {
        var busy = a.Samples - a.WaitingSamples - a.GcSuspendedSamples - a.NativeCallSamples;
        output.WriteLine(F($"Trace: {a.DurationMilliseconds / 1000:0.0} s, {a.Threads} sampled threads, {a.Samples} samples of about 1 ms: {busy} running, ") +
            F($"{a.WaitingSamples} blocked in a wait, {a.NativeCallSamples} inside a native call that may block (socket, librdkafka: waiting, running or preempted) ") +
            F($"and {a.GcSuspendedSamples} held at a safe point (GC or the sampler's own suspension); all but the running left out of the CPU tables."));
        output.WriteLine(F($"GC: {a.Collections[0]} gen0, {a.Collections[1]} gen1, {a.Collections[2]} gen2; the process suspended for {a.GcPauseMilliseconds:0} ms = {100 * a.GcPauseMilliseconds / Math.Max(1, a.DurationMilliseconds):0.0}% of the time; ") +
            F($"GCs ran (start to end, background GCs beside the program) {a.GcMilliseconds:0} ms."));

        Table(output, $"CPU by component (the first frame outside System.* from the leaf), % of {busy} running samples", a.Components, top, busy, Count);
        Table(output, "CPU exclusive (leaf method)", a.Exclusive, top, busy, Count);
        Table(output, "CPU inclusive (method anywhere on the stack; System.Threading and async plumbing left out)", a.Inclusive, top, busy, Count);

        var allocated = a.AllocatedTypes.Total;
        var perEvent = events > 0 ? F($", {allocated / 1024 / events:0.0} KB per event over {events} events") : "";
        Table(output, F($"Allocated types (AllocationTick estimate: {allocated / 1024 / 1024:0} MB{perEvent})"), a.AllocatedTypes, top, allocated, Bytes);
        foreach (var (type, _) in a.AllocatedTypes.Top(Math.Min(top, 12)))
        {
            output.WriteLine($"  {Cut(type, Width - 2)}");
            foreach (var (site, bytes) in a.SitesByType[type].Top(3))
            {
                output.WriteLine(F($"      {100 * bytes / allocated,5:0.0}%  {Cut(site, Width - 14)}"));
            }
        }

        Table(output, "Allocating sites (first frame outside System.*)", a.AllocationSites, top, allocated, Bytes);
        Table(output, F($"Entering contended locks ({a.LockWaits.Total:0} running samples = {100 * a.LockWaits.Total / Math.Max(1, busy):0.0}%) by first frame outside System.*"), a.LockWaits, Math.Min(top, 10), a.LockWaits.Total, Count);
        Table(output, "Lock contention (Contention/Start events by first frame outside System.*)", a.Contention, Math.Min(top, 10), a.Contention.Total, Count);

        if (verbose)
        {
            Table(output, "Events in the trace", a.EventNames, 100, a.EventNames.Total, Count);
        }
    }

    private static void Table(TextWriter output, string title, Tally<string> tally, int top, double total, Func<double, string> format)
    {
        output.WriteLine();
        output.WriteLine(title);
        foreach (var (key, value) in tally.Top(top))
        {
            output.WriteLine(F($"  {100 * value / Math.Max(1, total),5:0.0}%  {format(value),9}  {Cut(key, Width - 20)}"));
        }
    }

    private static string Count(double value) => F($"{value:0}");

    private static string Bytes(double value) => value >= 1024 * 1024 ? F($"{value / 1024 / 1024:0.0} MB") : F($"{value / 1024:0} KB");

    private static string Cut(string text, int width) => text.Length <= width ? text : string.Concat(text.AsSpan(0, width - 1), "…");

    private static string F(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
