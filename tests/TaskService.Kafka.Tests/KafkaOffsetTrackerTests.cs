using TaskService.Connectors.Kafka;

namespace TaskService.Kafka.Tests;

public sealed class KafkaOffsetTrackerTests
{
    [Fact]
    public void TheCommittedOffsetIsTheOneAfterTheLastOfAContiguousHandledRun()
    {
        var tracker = new KafkaOffsetTracker();
        foreach (var offset in new long[] { 10, 11, 12, 14 })
        {
            Assert.True(tracker.Read(offset));
        }

        Assert.False(tracker.TryTakeCommittable(out _));

        tracker.Handled(11);
        tracker.Handled(14);
        Assert.False(tracker.TryTakeCommittable(out _)); // 10 is still out: nothing may be committed

        tracker.Handled(10);
        Assert.True(tracker.TryTakeCommittable(out var next));
        Assert.Equal(12, next); // 10 and 11 handled: resume at 12, not at 11

        tracker.Handled(12);
        Assert.True(tracker.TryTakeCommittable(out next));
        Assert.Equal(15, next); // 13 was never read (a gap in the log); 14 handled
        Assert.False(tracker.TryTakeCommittable(out _));
        Assert.Equal(0, tracker.PendingCount);
        Assert.Equal(10, tracker.FirstRead);
    }

    [Fact]
    public void AnOffsetWhoseStoringFailedIsReturnedAgain()
    {
        var tracker = new KafkaOffsetTracker();
        tracker.Read(0);
        tracker.Read(1);
        tracker.Handled(0);
        Assert.True(tracker.TryTakeCommittable(out var next));
        Assert.Equal(1, next);

        tracker.StoreFailed(1);
        Assert.True(tracker.TryTakeCommittable(out next));
        Assert.Equal(1, next);

        // A failure reported for an offset overtaken by a later one changes nothing: the later one stands.
        tracker.Handled(1);
        Assert.True(tracker.TryTakeCommittable(out next));
        Assert.Equal(2, next);
        tracker.StoreFailed(1);
        Assert.False(tracker.TryTakeCommittable(out _));
    }

    [Fact]
    public void AnOffsetReadAgainAfterALaterOneIsSkipped()
    {
        var tracker = new KafkaOffsetTracker();
        Assert.True(tracker.Read(5));
        Assert.True(tracker.Read(6));
        Assert.False(tracker.Read(6));
        Assert.False(tracker.Read(3));
        Assert.Equal(2, tracker.PendingCount);
    }
}
