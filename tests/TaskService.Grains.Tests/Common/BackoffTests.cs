using TaskService.Common;

namespace TaskService.Grains.Tests.Common;

/// <summary>The retry policy: doubling, spread by jitter, and never past its cap, jitter included.</summary>
public sealed class BackoffTests
{
    private static readonly TimeSpan First = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan Cap = TimeSpan.FromMilliseconds(800);
    private const double Jitter = 0.2;

    [Fact]
    public void WithoutJitterTheDelayDoublesUpToTheCap()
    {
        var backoff = new Backoff(First, Cap);

        Assert.Equal([100, 200, 400, 800, 800, 800], Enumerable.Range(1, 6).Select(n => backoff.Delay(n, 0.99).TotalMilliseconds));
        Assert.Equal(Cap, backoff.Delay(int.MaxValue, 0.5));
    }

    [Fact]
    public void JitterSpreadsTheDelayBothWaysAroundItsDoublingValue()
    {
        var backoff = new Backoff(First, Cap, Jitter);

        Assert.Equal(160, backoff.Delay(2, 0).TotalMilliseconds, 6);
        Assert.Equal(200, backoff.Delay(2, 0.5).TotalMilliseconds, 6);
        Assert.Equal(240, backoff.Delay(2, 1).TotalMilliseconds, 6);
    }

    [Fact]
    public void TheDelayNeverExceedsItsCapJitterIncluded()
    {
        var backoff = new Backoff(First, Cap, Jitter);

        // At and near the cap the highest draw would be 20 % above it, were the cap applied before the jitter.
        Assert.Equal(Cap, backoff.Delay(4, 0.999999));
        Assert.Equal(Cap, backoff.Delay(30, 1));

        // Every draw, for every failure count: within [0, cap], and never below the lower jitter band of the capped value.
        var random = new Random(20261203);
        for (var failures = 1; failures <= 64; failures++)
        {
            var doubled = Math.Min(First.TotalMilliseconds * Math.Pow(2, Math.Min(failures - 1, 62)), Cap.TotalMilliseconds);
            for (var draw = 0; draw < 2_000; draw++)
            {
                var delay = backoff.Delay(failures, random.NextDouble()).TotalMilliseconds;
                Assert.InRange(delay, doubled * (1 - Jitter) - 1e-9, Cap.TotalMilliseconds);
            }
        }
    }
}
