using System.Text.Json;
using TaskService.Events;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Tasks;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// The outbox on PostgreSQL: appended once per event id, claimed oldest first for a lease by one dispatcher at a time, claimed
/// again when a lease runs out, and never again once dispatched; the in-memory outbox answers the same sequence the same way.
/// Each test has a database of its own, since a claim takes whatever is oldest.
/// </summary>
public sealed class OutboxStoreTests : IAsyncLifetime
{
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    private readonly ManualTimeProvider _time = new(DateTimeOffset.Parse("2026-01-02T03:04:05Z", System.Globalization.CultureInfo.InvariantCulture));

    private StoreUnderTest _stores = null!;

    public async Task InitializeAsync() => _stores = await StoreUnderTest.CreateAsync(_time);

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [Fact]
    public async Task EntriesAreClaimedOldestFirstForALeaseAndAgainWhenItRunsOutUntilDispatched()
    {
        OutgoingEvent[] events = [Outgoing("a"), Outgoing("b"), Outgoing("c")];
        await _stores.BothAsync(store => store.AppendOutboxAsync([events[0], events[1], events[0]]));
        await _stores.BothAsync(store => store.AppendOutboxAsync([events[2], events[1]]));

        var claimed = await SameClaimAsync(10);
        Assert.Equal(["a", "b", "c"], claimed);
        Assert.Empty(await SameClaimAsync(10));

        _time.Advance(Lease - TimeSpan.FromSeconds(1));
        Assert.Empty(await SameClaimAsync(10));

        _time.Advance(TimeSpan.FromSeconds(1));
        var entries = await _stores.Store.ClaimOutboxAsync(2, Lease);
        var referenceEntries = await _stores.Reference.ClaimOutboxAsync(2, Lease);
        Assert.Equal(["a", "b"], entries.Select(e => e.Event.Id));
        Assert.Equal(referenceEntries.Select(e => e.Event.Id), entries.Select(e => e.Event.Id));
        Assert.True(entries[0].Sequence < entries[1].Sequence);
        Assert.Equal(Canonical(events[0]), Canonical(entries[0].Event));

        await _stores.Store.MarkDispatchedAsync([entries[0].Sequence]);
        await _stores.Reference.MarkDispatchedAsync([referenceEntries[0].Sequence]);
        Assert.Equal(["c"], await SameClaimAsync(10));

        // A dispatched event appended again (a retried command) is not sent again.
        await _stores.BothAsync(store => store.AppendOutboxAsync([events[0]]));
        _time.Advance(Lease);
        Assert.Equal(["b", "c"], await SameClaimAsync(10));
    }

    [Fact]
    public async Task TheBacklogCountsTheEntriesNotDispatchedAndDatesTheOldest()
    {
        Assert.Equal(OutboxBacklog.Empty, await _stores.Store.GetOutboxBacklogAsync());
        var first = _time.GetUtcNow();
        await _stores.BothAsync(store => store.AppendOutboxAsync([Outgoing("a")]));
        _time.Advance(TimeSpan.FromSeconds(5));
        await _stores.BothAsync(store => store.AppendOutboxAsync([Outgoing("b"), Outgoing("c")]));

        Assert.Equal(new OutboxBacklog(3, first), await _stores.Store.GetOutboxBacklogAsync());
        Assert.Equal(new OutboxBacklog(3, first), await _stores.Reference.GetOutboxBacklogAsync());

        // Dispatching the oldest makes the next one the oldest; claims alone change nothing.
        var claimed = await _stores.Store.ClaimOutboxAsync(1, Lease);
        await _stores.Store.MarkDispatchedAsync([claimed[0].Sequence]);
        await _stores.Reference.MarkDispatchedAsync([(await _stores.Reference.ClaimOutboxAsync(1, Lease))[0].Sequence]);
        Assert.Equal(new OutboxBacklog(2, first.AddSeconds(5)), await _stores.Store.GetOutboxBacklogAsync());
        Assert.Equal(new OutboxBacklog(2, first.AddSeconds(5)), await _stores.Reference.GetOutboxBacklogAsync());
    }

    [Fact]
    public async Task TwoDispatchersClaimingAtOnceNeverGetTheSameEntry()
    {
        var events = Enumerable.Range(0, 40).Select(i => Outgoing($"e{i:D2}")).ToArray();
        await _stores.Store.AppendOutboxAsync(events);

        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => _stores.Store.ClaimOutboxAsync(15, Lease)));

        var all = claims.SelectMany(c => c.Select(e => e.Event.Id)).ToArray();
        Assert.Equal(all.Length, all.Distinct().Count());
        Assert.Equal(events.Select(e => e.Id), all.Order(StringComparer.Ordinal));
        Assert.All(claims, c => Assert.True(c.Count <= 15));
    }

    [Fact]
    public async Task ATaskSaveWritesItsEventsToTheOutboxInTheSameTransaction()
    {
        var task = new TaskRecord { Id = "t-1", Key = "k", Name = "n", CreatedOn = _time.Now, ModifiedOn = _time.Now };

        await _stores.Store.SaveTaskAsync(new TaskAggregate(task, []), [Outgoing("created"), Outgoing("assigned")]);
        await _stores.Store.SaveTaskAsync(new TaskAggregate(task with { Name = "renamed" }, []), [Outgoing("created")]);

        Assert.Equal(["created", "assigned"], (await _stores.Store.ClaimOutboxAsync(10, Lease)).Select(e => e.Event.Id));
        Assert.Empty(await _stores.Store.ClaimOutboxAsync(0, Lease));
    }

    private async Task<string[]> SameClaimAsync(int max)
    {
        var expected = (await _stores.Reference.ClaimOutboxAsync(max, Lease)).Select(e => e.Event.Id).ToArray();
        var actual = (await _stores.Store.ClaimOutboxAsync(max, Lease)).Select(e => e.Event.Id).ToArray();
        Assert.Equal(expected, actual);
        return actual;
    }

    private static OutgoingEvent Outgoing(string id) => new()
    {
        Id = id,
        Key = OutgoingEventTypes.TaskCreated,
        Payload = JsonElementFactory.Parse($$"""{"id":"{{id}}","tasks":[1,2]}"""),
        Timestamp = 1767323045000,
    };

    private static string Canonical(OutgoingEvent value) => JsonSerializer.Serialize(value, ContractJson.Options);
}
