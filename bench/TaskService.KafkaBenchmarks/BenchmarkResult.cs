using System.Globalization;

namespace TaskService.KafkaBenchmarks;

internal sealed record BenchmarkResult(
    int Events,
    TimeSpan ProduceTime,
    long LagAfterBurst,
    TimeSpan DrainTime,
    IReadOnlyList<(TimeSpan At, long Lag)> LagSamples,
    TimeSpan EndToEnd,
    IReadOnlyCollection<double> OutputAges)
{
    public void Print()
    {
        var ages = OutputAges.Order().ToArray();
        double Percentile(double p) => ages.Length == 0 ? 0 : ages[Math.Min(ages.Length - 1, (int)(p * ages.Length))];
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"""
            burst produced        {Events} messages in {ProduceTime.TotalSeconds:0.00} s ({Events / ProduceTime.TotalSeconds:0} msg/s, acks=all)
            lag after the burst   {LagAfterBurst} messages (high watermark - committed offset, all partitions)
            lag drained in        {DrainTime.TotalSeconds:0.00} s ({(DrainTime.TotalSeconds > 0 ? LagAfterBurst / DrainTime.TotalSeconds : 0):0} msg/s; committed every commit interval)
            end to end            {Events} events -> workflow -> task-created on the output topic in {EndToEnd.TotalSeconds:0.00} s = {Events / EndToEnd.TotalSeconds:0} events/s
            output age (ms)       p50 {Percentile(0.5):0}  p95 {Percentile(0.95):0}  p99 {Percentile(0.99):0}  (event timestamp -> read from output topic)
            lag samples           {string.Join("  ", LagSamples.Where((_, i) => i % Math.Max(1, LagSamples.Count / 8) == 0).Select(s => $"{s.At.TotalSeconds:0.0}s:{s.Lag}"))}
            """));
    }
}
