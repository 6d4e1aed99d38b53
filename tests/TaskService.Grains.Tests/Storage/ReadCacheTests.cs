using Microsoft.Extensions.Time.Testing;
using TaskService.Storage.Caching;

namespace TaskService.Grains.Tests.Storage;

public sealed class ReadCacheTests
{
    private static readonly TimeSpan Ttl = TimeSpan.FromSeconds(2);

    [Fact]
    public async Task AnEmptyAnswerIsKeptUntilItExpiresOrIsCleared()
    {
        var time = new FakeTimeProvider();
        var cache = new ReadCache<string[]>(Ttl, time);
        var loads = 0;
        Task<string[]?> Load() { loads++; return Task.FromResult<string[]?>([]); }

        Assert.Empty((await cache.GetAsync("unmapped", Load))!);
        Assert.Empty((await cache.GetAsync("unmapped", Load))!);
        Assert.Equal(1, loads);

        time.Advance(Ttl);
        await cache.GetAsync("unmapped", Load);
        Assert.Equal(2, loads);

        cache.Clear();
        await cache.GetAsync("unmapped", Load);
        Assert.Equal(3, loads);
    }

    [Fact]
    public async Task ManyDistinctKeysDoNotGrowTheCacheBeyondItsBound()
    {
        var time = new FakeTimeProvider();
        var cache = new ReadCache<string>(Ttl, time);
        for (var i = 0; i < ReadCache<string>.MaxEntries + 500; i++)
        {
            await cache.GetAsync($"key-{i}", () => Task.FromResult<string?>("none"));
            Assert.True(cache.Count <= ReadCache<string>.MaxEntries, $"{cache.Count} entries after {i + 1} keys");
        }

        // Once the old entries have expired, only they are dropped: the fresh one stays.
        time.Advance(Ttl);
        for (var i = 0; i < ReadCache<string>.MaxEntries; i++)
        {
            await cache.GetAsync($"later-{i}", () => Task.FromResult<string?>("none"));
        }

        var loads = 0;
        await cache.GetAsync($"later-{ReadCache<string>.MaxEntries - 1}", () => { loads++; return Task.FromResult<string?>("none"); });
        Assert.Equal(0, loads);
    }
}
