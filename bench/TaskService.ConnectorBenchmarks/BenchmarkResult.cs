using System.Globalization;
using System.Text.Json;

namespace TaskService.ConnectorBenchmarks;

internal sealed record BenchmarkResult(
    string Connector,
    string Store,
    int Events,
    TimeSpan ProduceTime,
    long BacklogAfterBurst,
    TimeSpan DrainTime,
    IReadOnlyList<(TimeSpan At, long Backlog)> BacklogSamples,
    TimeSpan EndToEnd,
    IReadOnlyCollection<double> Latencies,
    TimeSpan PublishedInterval,
    IReadOnlyList<int> PublishedPerInterval,
    ProcessCost Cost)
{
    private double[] SortedLatencies => [.. Latencies.Order()];

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];

    public double EventsPerSecond => Events / EndToEnd.TotalSeconds;

    public void Print()
    {
        var latencies = SortedLatencies;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            burst sent            {Events} messages in {ProduceTime.TotalSeconds:0.00} s ({Events / ProduceTime.TotalSeconds:0} msg/s)
            backlog after burst   {BacklogAfterBurst} messages not yet taken over by the service
            backlog drained in    {DrainTime.TotalSeconds:0.00} s ({(DrainTime.TotalSeconds > 0 ? BacklogAfterBurst / DrainTime.TotalSeconds : 0):0} msg/s)
            end to end            {Events} events -> workflow -> task-created published in {EndToEnd.TotalSeconds:0.00} s = {EventsPerSecond:0} events/s ({Connector}, {Store} store)
            sent -> published ms  p50 {Percentile(latencies, 0.5):0}  p95 {Percentile(latencies, 0.95):0}  p99 {Percentile(latencies, 0.99):0}  (includes the wait behind the burst)
            cost per event        {Cost.CpuTime.TotalMilliseconds / Events:0.000} ms CPU ({Cost.CpuTime / EndToEnd / Environment.ProcessorCount:P0} of {Environment.ProcessorCount} cores), {Cost.AllocatedBytes / 1024.0 / Events:0.0} KB allocated; GCs {Cost.Gen0Collections}/{Cost.Gen1Collections}/{Cost.Gen2Collections} (gen 0/1/2), paused {Cost.GcPause.TotalSeconds / EndToEnd.TotalSeconds:P1} of the time (the whole process: silo, producer and reader)
            published per {PublishedInterval.TotalSeconds:0.0} s   {string.Join(" ", PublishedPerInterval)}  (from the burst's first message on: a slow start or a gap shows here)
            backlog samples       {string.Join("  ", BacklogSamples.Where((_, i) => i % Math.Max(1, BacklogSamples.Count / 8) == 0).Select(s => $"{s.At.TotalSeconds:0.0}s:{s.Backlog}"))}
            """));
    }

    public async Task WriteAsync(string path)
    {
        var latencies = SortedLatencies;
        var document = new
        {
            connector = Connector,
            store = Store,
            events = Events,
            eventsPerSecond = Math.Round(EventsPerSecond, 1),
            sendSeconds = Math.Round(ProduceTime.TotalSeconds, 2),
            backlogAfterBurst = BacklogAfterBurst,
            drainSeconds = Math.Round(DrainTime.TotalSeconds, 2),
            endToEndSeconds = Math.Round(EndToEnd.TotalSeconds, 2),
            cpuMsPerEvent = Math.Round(Cost.CpuTime.TotalMilliseconds / Events, 4),
            allocatedKbPerEvent = Math.Round(Cost.AllocatedBytes / 1024.0 / Events, 1),
            gcCollections = new { gen0 = Cost.Gen0Collections, gen1 = Cost.Gen1Collections, gen2 = Cost.Gen2Collections },
            gcPauseShare = Math.Round(Cost.GcPause.TotalSeconds / EndToEnd.TotalSeconds, 4),
            publishedIntervalSeconds = PublishedInterval.TotalSeconds,
            publishedPerInterval = PublishedPerInterval,
            latencyMs = new { p50 = Percentile(latencies, 0.5), p95 = Percentile(latencies, 0.95), p99 = Percentile(latencies, 0.99) },
        };
        await File.WriteAllTextAsync(path, JsonSerializer.Serialize(document, new JsonSerializerOptions { WriteIndented = true }));
    }
}
