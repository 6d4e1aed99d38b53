namespace TaskService.Benchmarks;

/// <summary>Percentiles of a set of latencies, in milliseconds (nearest-rank).</summary>
internal sealed record LatencySummary(int Count, double Mean, double P50, double P90, double P99, double Max)
{
    public static LatencySummary Of(IReadOnlyCollection<double> milliseconds)
    {
        if (milliseconds.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0, 0);
        }

        var sorted = milliseconds.Order().ToArray();
        double Rank(double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
        return new LatencySummary(sorted.Length, sorted.Average(), Rank(0.50), Rank(0.90), Rank(0.99), sorted[^1]);
    }
}
