using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using TaskService.Connectors.Kafka;
using TaskService.Events;
using TaskService.Serialization;

namespace TaskService.Kafka.Tests;

public sealed class KafkaQueueCacheTests
{
    private static readonly StreamId Orders = StreamId.Create(StreamNames.IncomingEvents, "orders");
    private static readonly StreamId Invoices = StreamId.Create(StreamNames.IncomingEvents, "invoices");

    [Fact]
    public void OnlyMessagesEveryCursorMovedPastArePurged()
    {
        var cache = new KafkaQueueCache(100);
        cache.AddToCache([Batch(Orders, 0), Batch(Invoices, 1), Batch(Orders, 2)]);
        var orders = cache.TryGetCacheCursor(Orders, new EventSequenceTokenV2(0)).Cursor!;
        var invoices = cache.TryGetCacheCursor(Invoices, new EventSequenceTokenV2(1)).Cursor!;

        Assert.Equal(QueueCacheCursorMoveResultKind.Success, orders.MoveNextWithResult().Kind);
        Assert.Equal(0, Offset(orders));
        Assert.False(cache.TryPurgeFromCache(out _)); // offset 0 is being delivered

        Assert.Equal(QueueCacheCursorMoveResultKind.Success, orders.MoveNextWithResult().Kind); // 0 delivered
        Assert.Equal(2, Offset(orders));
        Assert.True(cache.TryPurgeFromCache(out var purged));
        Assert.Equal([0L], purged.Select(b => b.SequenceToken.SequenceNumber));
        Assert.False(cache.TryPurgeFromCache(out _)); // 1 (invoices) not delivered yet, so 2 waits behind it

        Assert.Equal(QueueCacheCursorMoveResultKind.Success, invoices.MoveNextWithResult().Kind);
        Assert.Equal(QueueCacheCursorMoveResultKind.NoData, invoices.MoveNextWithResult().Kind); // 1 delivered
        Assert.True(cache.TryPurgeFromCache(out purged));
        Assert.Equal([1L], purged.Select(b => b.SequenceToken.SequenceNumber));

        Assert.Equal(QueueCacheCursorMoveResultKind.NoData, orders.MoveNextWithResult().Kind); // 2 delivered
        Assert.True(cache.TryPurgeFromCache(out purged));
        Assert.Equal([2L], purged.Select(b => b.SequenceToken.SequenceNumber));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void AFullCacheStopsReadingUntilHandledMessagesArePurged()
    {
        var cache = new KafkaQueueCache(2);
        cache.AddToCache([Batch(Orders, 0), Batch(Orders, 1)]);
        Assert.True(cache.IsUnderPressure());
        Assert.Equal(1, cache.GetMaxAddCount()); // never 0: the agent would skip purging too and the cache would stay full

        var cursor = cache.TryGetCacheCursor(Orders, new EventSequenceTokenV2(0)).Cursor!;
        cursor.MoveNextWithResult();
        cursor.MoveNextWithResult();
        Assert.True(cache.TryPurgeFromCache(out _));
        Assert.False(cache.IsUnderPressure());
        Assert.Equal(1, cache.GetMaxAddCount());
    }

    [Fact]
    public void ACursorWithoutATokenStartsAtTheFirstMessageNotKnownToBeDelivered()
    {
        var cache = new KafkaQueueCache(100);
        cache.AddToCache([Batch(Orders, 5), Batch(Orders, 6), Batch(Orders, 7)]);
        var first = cache.TryGetCacheCursor(Orders, new EventSequenceTokenV2(5)).Cursor!;
        first.MoveNextWithResult();
        first.MoveNextWithResult(); // 5 delivered, 6 current
        first.Dispose(); // e.g. the agent replaced the cursor mid-delivery

        var again = cache.TryGetCacheCursor(Orders, null).Cursor!;
        Assert.Equal(QueueCacheCursorMoveResultKind.Success, again.MoveNextWithResult().Kind);
        Assert.Equal(6, Offset(again)); // 6 is delivered again rather than lost
    }

    [Fact]
    public void TheCacheCountsMessagesNotBatches()
    {
        var cache = new KafkaQueueCache(16);
        var records = Enumerable.Range(0, 10)
            .Select(n => new StreamedEvent { Record = new EventRecord { Id = $"kafka:t:0:{n}", Key = "orders", Payload = JsonElementFactory.Parse("{}") }, Recorded = true })
            .ToArray();
        cache.AddToCache([new KafkaBatchContainer { StreamId = Orders, Events = records, Offsets = [.. Enumerable.Range(0, 10).Select(n => (long)n)] }]);

        Assert.Equal(10, cache.Count);
        Assert.Equal(6, cache.GetMaxAddCount());
        Assert.False(cache.IsUnderPressure());
    }

    private static long Offset(IQueueCacheCursor cursor) => cursor.GetCurrent(out _)!.SequenceToken.SequenceNumber;

    private static KafkaBatchContainer Batch(StreamId stream, long offset) =>
        KafkaBatchContainer.Single(stream, new EventRecord { Id = $"kafka:t:0:{offset}", Key = "orders", Payload = JsonElementFactory.Parse("{}") }, offset, recorded: false);
}
