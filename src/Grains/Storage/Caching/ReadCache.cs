using System.Collections.Concurrent;

namespace TaskService.Storage.Caching;

/// <summary>
/// Read-mostly rows kept for a short time. Writes through this silo clear the cache at once; writes through another silo are
/// seen when the entry expires. A read that raced a clear is not kept, so a clear is never undone by a late answer.
/// </summary>
internal sealed class ReadCache<TValue>(TimeSpan ttl, TimeProvider time)
    where TValue : class
{
    private readonly ConcurrentDictionary<string, (TValue Value, long Expires)> _entries = new(StringComparer.Ordinal);
    private long _generation;

    public async Task<TValue?> GetAsync(string key, Func<Task<TValue?>> load, Func<TValue, bool> keep)
    {
        var now = time.GetTimestamp();
        if (_entries.TryGetValue(key, out var entry) && entry.Expires > now)
        {
            return entry.Value;
        }

        var generation = Interlocked.Read(ref _generation);
        var value = await load();
        if (value is not null && keep(value) && Interlocked.Read(ref _generation) == generation)
        {
            _entries[key] = (value, now + (long)(ttl.TotalSeconds * time.TimestampFrequency));
        }

        return value;
    }

    public void Clear()
    {
        Interlocked.Increment(ref _generation);
        _entries.Clear();
    }
}
