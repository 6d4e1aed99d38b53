using System.Diagnostics;
using Xunit;

namespace TaskService.Testing;

/// <summary>
/// Checks that work which could run away (backtracking, deep nesting, a quadratic scan) ends within a bound, far below what
/// running away would take. Work that takes longer runs once more and is timed again: the test suites running beside each
/// other can hold a process that long (a pause of the thread pool of 1.5 s was seen), but work that itself runs away does so
/// both times.
/// </summary>
public static class Quickly
{
    /// <summary>Runs <paramref name="work"/> and answers its result, failing when it took longer than <paramref name="bound"/> twice.</summary>
    public static T Runs<T>(Func<T> work, TimeSpan bound, string what)
    {
        ArgumentNullException.ThrowIfNull(work);
        var first = Stopwatch.StartNew();
        var result = work();
        first.Stop();
        if (first.Elapsed < bound)
        {
            return result;
        }

        (result as IDisposable)?.Dispose();
        var again = Stopwatch.StartNew();
        result = work();
        again.Stop();
        Within(first, again, bound, what);
        return result;
    }

    /// <summary>As <see cref="Runs{T}"/>, for work that is awaited (a request: its response is disposed when it is sent again).</summary>
    public static async Task<T> RunsAsync<T>(Func<Task<T>> work, TimeSpan bound, string what)
    {
        ArgumentNullException.ThrowIfNull(work);
        var first = Stopwatch.StartNew();
        var result = await work();
        first.Stop();
        if (first.Elapsed < bound)
        {
            return result;
        }

        (result as IDisposable)?.Dispose();
        var again = Stopwatch.StartNew();
        result = await work();
        again.Stop();
        Within(first, again, bound, what);
        return result;
    }

    private static void Within(Stopwatch first, Stopwatch again, TimeSpan bound, string what) =>
        Assert.True(again.Elapsed < bound, $"{what} took {first.ElapsedMilliseconds} ms, and {again.ElapsedMilliseconds} ms when run again (bound {bound.TotalMilliseconds:F0} ms)");
}
