using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.ExceptionServices;

namespace TaskService.Benchmarks;

/// <summary>
/// Counts the first-chance exceptions of this process (thrown, whether caught or not): a hot path that throws costs CPU. With
/// stacks on, also groups them by type and the innermost TaskService/Orleans frames of the thread that threw, to find where.
/// </summary>
internal sealed class ExceptionTally : IDisposable
{
    private readonly bool _stacks;
    private readonly ConcurrentDictionary<string, int> _byPlace = new();
    private long _count;

    public ExceptionTally(bool stacks)
    {
        _stacks = stacks;
        AppDomain.CurrentDomain.FirstChanceException += OnFirstChance;
    }

    public long Count => Interlocked.Read(ref _count);

    /// <summary>The most frequent places, most frequent first (empty unless stacks are on).</summary>
    public IReadOnlyList<(string Place, int Count)> Top(int n) =>
        _byPlace.OrderByDescending(p => p.Value).Take(n).Select(p => (p.Key, p.Value)).ToArray();

    private void OnFirstChance(object? sender, FirstChanceExceptionEventArgs e)
    {
        Interlocked.Increment(ref _count);
        if (!_stacks)
        {
            return;
        }

        var frames = new StackTrace(1, false).GetFrames()
            .Select(f => f.GetMethod())
            .Where(m => m?.DeclaringType?.FullName is { } name && (name.StartsWith("TaskService.", StringComparison.Ordinal) || name.StartsWith("Orleans.", StringComparison.Ordinal)))
            .Take(4)
            .Select(m => $"{m!.DeclaringType!.FullName}.{m.Name}");
        var place = $"{e.Exception.GetType().Name}: {e.Exception.Message.Split('\n')[0]} @ {string.Join(" <- ", frames)}";
        _byPlace.AddOrUpdate(place, 1, (_, n) => n + 1);
    }

    public void Dispose() => AppDomain.CurrentDomain.FirstChanceException -= OnFirstChance;
}
