namespace TaskService.Sqs.Tests;

/// <summary>Waits for a condition with a deadline (no fixed sleeps).</summary>
public static class Eventually
{
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string because)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            var value = await probe();
            if (condition(value))
            {
                return value;
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout.TotalSeconds} s: {because}. Last value: {value}");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 200));
        }
    }

    public static Task<T> ReturnsAsync<T>(Func<T> probe, Func<T, bool> condition, TimeSpan timeout, string because) =>
        ReturnsAsync(() => Task.FromResult(probe()), condition, timeout, because);
}
