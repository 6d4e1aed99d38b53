namespace TaskService.Common;

/// <summary>
/// The one retry policy of the service (Camunda polls and lock timeouts, command retries, Kafka and SQS redelivery, webhook
/// retries): a doubling delay with jitter and a cap, as data: <see cref="First"/> after the first failure, twice that after the second,
/// and so on, each spread by up to ±<see cref="Jitter"/> of itself (so the silos of a cluster do not all come back at the same
/// moment), and never more than <see cref="Cap"/>, jitter included.
/// </summary>
public sealed record Backoff(TimeSpan First, TimeSpan Cap, double Jitter = 0)
{
    /// <summary>
    /// The delay after <paramref name="failures"/> consecutive failures (1 or more). <paramref name="draw"/> is a random number in
    /// [0, 1) that places the delay within its jitter band; pass it in, so the delay is a pure function of its inputs.
    /// </summary>
    public TimeSpan Delay(int failures, double draw)
    {
        var cap = Math.Max(0, Cap.TotalMilliseconds);
        var doubled = First.TotalMilliseconds * Math.Pow(2, Math.Clamp(failures - 1, 0, 62));
        var jitter = Math.Clamp(Jitter, 0, 1);
        var spread = 1 - jitter + (2 * jitter * Math.Clamp(draw, 0, 1));

        // The cap bounds the jittered value, not only the doubled one: a delay near the cap would otherwise be pushed past it.
        var delay = Math.Min(Math.Min(doubled, cap) * spread, cap);
        return TimeSpan.FromMilliseconds(Math.Max(0, delay));
    }
}
