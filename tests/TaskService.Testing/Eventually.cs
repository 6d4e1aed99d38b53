namespace TaskService.Testing;

/// <summary>
/// Waits for a condition with a deadline, for effects that happen asynchronously (streams, webhook deliveries, a restarted
/// node). Probes again and again, backing off from 20 ms to 250 ms, and never sleeps a fixed time.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);

    /// <summary>
    /// Probes until <paramref name="condition"/> holds and returns the value that met it. When the deadline passes, the test
    /// fails naming what was awaited (<paramref name="because"/>), the last value or error, and <paramref name="diagnostics"/>
    /// (such as the output of the processes under test).
    /// </summary>
    /// <param name="retryOnError">
    /// When true, a probe that throws counts as "not yet" (a node may be failing over); otherwise its exception ends the wait.
    /// Assertion failures thrown by the probe always end it.
    /// </param>
    public static async Task<T> ReturnsAsync<T>(
        Func<Task<T>> probe,
        Func<T, bool> condition,
        TimeSpan? timeout = null,
        string? because = null,
        Func<string>? diagnostics = null,
        bool retryOnError = false)
    {
        var limit = timeout ?? DefaultTimeout;
        var deadline = DateTime.UtcNow + limit;
        var delay = TimeSpan.FromMilliseconds(20);
        while (true)
        {
            string last;
            try
            {
                var value = await probe();
                if (condition(value))
                {
                    return value;
                }

                last = $"last value: {Describe(value)}";
            }
            catch (Exception exception) when (retryOnError && exception is not Xunit.Sdk.XunitException)
            {
                last = $"last error: {exception.GetType().Name}: {exception.Message}";
            }

            if (DateTime.UtcNow > deadline)
            {
                var awaited = because ?? "the condition";
                var extra = diagnostics is null ? string.Empty : "\n" + diagnostics();
                Assert.Fail($"Not within {limit.TotalSeconds} s: {awaited} ({last}).{extra}");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    /// <summary>Probes a value that is read synchronously (a counter, a collection) until <paramref name="condition"/> holds.</summary>
    public static Task<T> ReturnsAsync<T>(
        Func<T> probe,
        Func<T, bool> condition,
        TimeSpan? timeout = null,
        string? because = null,
        Func<string>? diagnostics = null) =>
        ReturnsAsync(() => Task.FromResult(probe()), condition, timeout, because, diagnostics);

    private static string Describe<T>(T value) =>
        value switch
        {
            null => "null",
            System.Collections.IEnumerable items and not string => $"[{string.Join(", ", items.Cast<object?>().Take(20))}]",
            _ => value.ToString() ?? "",
        };
}
