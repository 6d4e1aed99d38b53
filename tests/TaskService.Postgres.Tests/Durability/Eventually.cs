namespace TaskService.Postgres.Tests.Durability;

/// <summary>Waits for a condition with a deadline (never a fixed sleep), for effects that happen asynchronously.</summary>
public static class Eventually
{
    /// <summary>
    /// Probes until <paramref name="condition"/> holds and returns the value. A probe that throws counts as "not yet" (a node may be
    /// failing over); when the deadline passes, the test fails with the last value or error and <paramref name="context"/>.
    /// </summary>
    public static async Task<T> ReturnsAsync<T>(Func<Task<T>> probe, Func<T, bool> condition, TimeSpan timeout, string because, Func<string>? context = null)
    {
        var deadline = DateTime.UtcNow + timeout;
        var delay = TimeSpan.FromMilliseconds(25);
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
            catch (Exception exception) when (exception is not Xunit.Sdk.XunitException)
            {
                last = $"last error: {exception.GetType().Name}: {exception.Message}";
            }

            if (DateTime.UtcNow > deadline)
            {
                Assert.Fail($"Not within {timeout.TotalSeconds} s: {because} ({last}).\n{context?.Invoke()}");
            }

            await Task.Delay(delay);
            delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
        }
    }

    private static string Describe<T>(T value) =>
        value switch
        {
            null => "null",
            System.Collections.IEnumerable items and not string => $"[{string.Join(", ", items.Cast<object?>().Take(20))}]",
            _ => value.ToString() ?? "",
        };
}
