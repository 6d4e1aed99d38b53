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
        Task<string[]?> Load(CancellationToken _) { loads++; return Task.FromResult<string[]?>([]); }

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
            await cache.GetAsync($"key-{i}", _ => Task.FromResult<string?>("none"));
            Assert.True(cache.Count <= ReadCache<string>.MaxEntries, $"{cache.Count} entries after {i + 1} keys");
        }

        // Once the old entries have expired, only they are dropped: the fresh one stays.
        time.Advance(Ttl);
        for (var i = 0; i < ReadCache<string>.MaxEntries; i++)
        {
            await cache.GetAsync($"later-{i}", _ => Task.FromResult<string?>("none"));
        }

        var loads = 0;
        await cache.GetAsync($"later-{ReadCache<string>.MaxEntries - 1}", _ => { loads++; return Task.FromResult<string?>("none"); });
        Assert.Equal(0, loads);
    }

    [Fact]
    public async Task CallersMissingOneKeyAtOnceShareOneRead()
    {
        var cache = new ReadCache<string>(Ttl, new FakeTimeProvider());
        var loads = 0;
        var answer = new TaskCompletionSource<string?>();
        Task<string?> Load(CancellationToken _) { loads++; return answer.Task; }

        var callers = Enumerable.Range(0, 10).Select(_ => cache.GetAsync("event-key", Load)).ToArray();
        Assert.Equal(1, loads);
        Assert.DoesNotContain(callers, c => c.IsCompleted);

        answer.SetResult("mapped");
        Assert.All(await Task.WhenAll(callers), value => Assert.Equal("mapped", value));
        Assert.Equal("mapped", await cache.GetAsync("event-key", Load));
        Assert.Equal(1, loads);
    }

    [Fact]
    public async Task ACallerAfterAClearDoesNotJoinAReadThatStartedBeforeIt()
    {
        var cache = new ReadCache<string>(Ttl, new FakeTimeProvider());
        var before = new TaskCompletionSource<string?>();
        var after = new TaskCompletionSource<string?>();
        var early = cache.GetAsync("event-key", _ => before.Task);

        // A write through this silo: whoever reads after it must see it, not the answer of a read that started earlier.
        cache.Clear();
        var late = cache.GetAsync("event-key", _ => after.Task);
        var later = cache.GetAsync("event-key", _ => throw new InvalidOperationException("a third read"));

        after.SetResult("new");
        before.SetResult("old");
        Assert.Equal("old", await early);
        Assert.Equal("new", await late);
        Assert.Equal("new", await later);
        Assert.Equal("new", await cache.GetAsync("event-key", _ => throw new InvalidOperationException("no read once cached")));
    }

    [Fact]
    public async Task AFailedSharedReadFailsItsCallersAndTheNextCallerReadsAgain()
    {
        var cache = new ReadCache<string>(Ttl, new FakeTimeProvider());
        var answer = new TaskCompletionSource<string?>();
        var first = cache.GetAsync("event-key", _ => answer.Task);
        var second = cache.GetAsync("event-key", _ => throw new InvalidOperationException("a second read"));

        answer.SetException(new TimeoutException("the database did not answer"));
        await Assert.ThrowsAsync<TimeoutException>(() => first);
        await Assert.ThrowsAsync<TimeoutException>(() => second);
        Assert.Equal("mapped", await cache.GetAsync("event-key", _ => Task.FromResult<string?>("mapped")));
    }

    [Fact]
    public async Task ACallerThatGivesUpStopsWaitingAndTheCallersSharingItsReadStillGetTheAnswer()
    {
        var cache = new ReadCache<string>(Ttl, new FakeTimeProvider());
        var answer = new TaskCompletionSource<string?>();
        var readWith = new List<CancellationToken>();
        using var givingUp = new CancellationTokenSource();
        var first = cache.GetAsync("event-key", token => { readWith.Add(token); return answer.Task; }, givingUp.Token);
        var second = cache.GetAsync("event-key", _ => throw new InvalidOperationException("a second read"));

        await givingUp.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => first);
        Assert.False(second.IsCompleted);

        answer.SetResult("mapped");
        Assert.Equal("mapped", await second);
        Assert.False(Assert.Single(readWith).CanBeCanceled);
    }
}
