using Microsoft.Extensions.Time.Testing;
using TaskService.Common;

namespace TaskService.Grains.Tests.Common;

/// <summary>A run of failures is warned about at its first failure, then at most once a minute, and said to be over once.</summary>
public sealed class FailureRunTests
{
    [Fact]
    public void TheFirstFailureWarnsThenAtMostOneAMinuteAndASuccessEndsTheRunOnce()
    {
        var time = new FakeTimeProvider();
        var run = new FailureRun(time);

        Assert.Null(run.Succeed());
        var first = run.Fail();
        Assert.True(first.IsFirst && first.Warn);
        time.Advance(TimeSpan.FromSeconds(30));
        Assert.False(run.Fail().Warn);
        time.Advance(TimeSpan.FromSeconds(30));
        var again = run.Fail();
        Assert.True(again.Warn && !again.IsFirst);
        Assert.Equal(3, again.Failures);
        Assert.Equal(TimeSpan.FromMinutes(1), again.Elapsed);
        time.Advance(TimeSpan.FromSeconds(59));
        Assert.False(run.Fail().Warn);

        var ended = run.Succeed();
        Assert.Equal(4, ended?.Failures);
        Assert.Equal(TimeSpan.FromSeconds(119), ended?.ElapsedSeconds);
        Assert.Null(run.Succeed());
        Assert.True(run.Fail().IsFirst);
    }

    [Fact]
    public async Task LoopsSharingARunWarnOnceBetweenThem()
    {
        var run = new FailureRun(new FakeTimeProvider());

        var reports = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => Task.Run(() => Enumerable.Range(0, 100).Select(_ => run.Fail()).ToList())));

        Assert.Single(reports.SelectMany(r => r), r => r.Warn);
        Assert.Equal(800, run.Failures);
    }
}
