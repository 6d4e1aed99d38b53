using System.Collections.Concurrent;

namespace TaskService.Common;

/// <summary>
/// Single-flight reads: callers that want the same key while its read runs share that read instead of each starting one. The
/// read runs whatever any one caller does with its cancellation token: a caller that gives up stops waiting, and the others
/// still get the answer. A failed read fails the callers that shared it and is dropped, so the next caller reads again.
/// </summary>
internal static class SharedReads
{
    /// <summary>
    /// Joins the read of <paramref name="key"/> in <paramref name="reads"/>, or starts one with <paramref name="read"/>. A read
    /// that succeeds stays in <paramref name="reads"/> as its answer when <paramref name="keep"/> is true (the dictionary is the
    /// cache); otherwise it is removed once it has answered (the caller keeps answers where it wants them).
    /// </summary>
    public static Task<T> JoinOrStartAsync<TKey, T>(
        ConcurrentDictionary<TKey, Task<T>> reads, TKey key, Func<Task<T>> read, bool keep, CancellationToken cancellationToken)
        where TKey : notnull
    {
        while (true)
        {
            if (reads.TryGetValue(key, out var shared))
            {
                return shared.WaitAsync(cancellationToken);
            }

            var started = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
            if (reads.TryAdd(key, started.Task))
            {
                // Awaited here, not looked up again: a read that fails at once is already gone from the dictionary.
                _ = RunAsync(reads, key, read, started, keep);
                return started.Task.WaitAsync(cancellationToken);
            }
        }
    }

    /// <summary>Runs a shared read for the callers of <paramref name="started"/>; never throws (they get the error).</summary>
    private static async Task RunAsync<TKey, T>(
        ConcurrentDictionary<TKey, Task<T>> reads, TKey key, Func<Task<T>> read, TaskCompletionSource<T> started, bool keep)
        where TKey : notnull
    {
        try
        {
            var value = await read().ConfigureAwait(false);
            if (!keep)
            {
                reads.TryRemove(KeyValuePair.Create(key, started.Task));
            }

            started.SetResult(value);
        }
        catch (Exception exception)
        {
            reads.TryRemove(KeyValuePair.Create(key, started.Task));
            started.SetException(exception);

            // Observed here: when every caller gave up waiting, nobody else looks at it.
            _ = started.Task.Exception;
        }
    }
}
