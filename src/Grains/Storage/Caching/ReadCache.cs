using System.Collections.Concurrent;
using TaskService.Common;

namespace TaskService.Storage.Caching;

/// <summary>
/// Read-mostly rows kept for a short time. Writes through this silo clear the cache at once; writes through another silo are
/// seen when the entry expires. A read that raced a clear is not kept, so a clear is never undone by a late answer. Empty answers
/// are kept too, so the keys seen are not bounded by what is stored: past <see cref="MaxEntries"/> the expired entries are dropped,
/// and when all are still fresh, all of them.
/// </summary>
/// <remarks>
/// Callers that miss the same key at the same time share one read: a busy silo's entries expire under hundreds of callers a
/// second, and a read each made the data source open connections for all of them at every expiry. A caller that comes after a
/// clear does not join a read that started before it.
/// </remarks>
internal sealed class ReadCache<TValue>(TimeSpan ttl, TimeProvider time)
    where TValue : class
{
    private readonly ConcurrentDictionary<string, (TValue Value, long Expires)> _entries = new(StringComparer.Ordinal);

    /// <summary>The reads running, by key and by the clear count they started under (see <see cref="SharedReads"/>).</summary>
    private readonly ConcurrentDictionary<(string Key, long Generation), Task<TValue?>> _loading = new();
    private long _generation;

    /// <summary>Entries kept before the expired ones are dropped (events with many distinct keys must not grow the cache without bound).</summary>
    internal const int MaxEntries = 10_000;

    /// <summary>Entries held now, expired ones included.</summary>
    internal int Count => _entries.Count;

    /// <summary>
    /// The cached value of <paramref name="key"/>, or what <paramref name="load"/> reads. The read is shared with the callers that
    /// miss the key meanwhile, so it runs whatever any one of them does with its <paramref name="cancellationToken"/>: a caller
    /// that gives up stops waiting, and the others still get the answer.
    /// </summary>
    public async Task<TValue?> GetAsync(string key, Func<CancellationToken, Task<TValue?>> load, CancellationToken cancellationToken = default)
    {
        var now = time.GetTimestamp();
        if (_entries.TryGetValue(key, out var entry) && entry.Expires > now)
        {
            return entry.Value;
        }

        // A read is shared under the clear count it started with, so a caller after a clear never joins an older read.
        var generation = Interlocked.Read(ref _generation);
        return await SharedReads.JoinOrStartAsync(
            _loading, (key, generation), () => ReadAndKeepAsync(key, load, generation, now), keep: false, cancellationToken);
    }

    /// <summary>Runs a shared read and keeps its answer, unless a clear came meanwhile.</summary>
    private async Task<TValue?> ReadAndKeepAsync(string key, Func<CancellationToken, Task<TValue?>> load, long generation, long now)
    {
        var value = await load(CancellationToken.None).ConfigureAwait(false);
        if (value is not null && Interlocked.Read(ref _generation) == generation)
        {
            if (_entries.Count >= MaxEntries)
            {
                Prune(now);
            }

            _entries[key] = (value, now + (long)(ttl.TotalSeconds * time.TimestampFrequency));
        }

        return value;
    }

    /// <summary>Drops the expired entries, or every entry when none has expired.</summary>
    private void Prune(long now)
    {
        foreach (var (key, entry) in _entries)
        {
            if (entry.Expires <= now)
            {
                _entries.TryRemove(key, out _);
            }
        }

        if (_entries.Count >= MaxEntries)
        {
            _entries.Clear();
        }
    }

    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }
}
