using Microsoft.Extensions.Options;
using TaskService.Events;

namespace TaskService.Grains.Tests.Engine;

/// <summary>The silo's backlog counts routed events and the deliveries its webhook subscriptions report as queued.</summary>
public sealed class RoutingBacklogTests
{
    [Fact]
    public async Task EachSubscriptionsReportReplacesItsLastAndASubscriptionLeavingTakesItsDeliveriesAlong()
    {
        var backlog = new RoutingBacklog(Options.Create(new EventRoutingOptions { MaxBacklog = 10 }));
        Assert.True(backlog.TryAdd());

        backlog.ReportDeliveryQueue("a", 3);
        backlog.ReportDeliveryQueue("b", 4);
        Assert.Equal(8, backlog.Count);

        // A queue that empties and fills again: each report replaces the subscription's last one.
        backlog.ReportDeliveryQueue("a", 0);
        Assert.Equal(5, backlog.Count);
        backlog.ReportDeliveryQueue("a", 5);
        backlog.ReportDeliveryQueue("a", 5);
        Assert.Equal(10, backlog.Count);
        Assert.True(backlog.IsFull);
        Assert.False(backlog.TryAdd());

        // A subscription leaving the silo frees its share, and a router waiting for room goes on.
        var room = backlog.WaitForRoomAsync(TimeSpan.FromSeconds(30));
        backlog.ForgetDeliveryQueue("a");
        Assert.True(await room);
        Assert.Equal(5, backlog.Count);
        backlog.ForgetDeliveryQueue("a");
        backlog.ForgetDeliveryQueue("never-reported");
        Assert.Equal(5, backlog.Count);

        backlog.ReportDeliveryQueue("b", 0);
        backlog.Remove();
        Assert.Equal(0, backlog.Count);
    }
}
