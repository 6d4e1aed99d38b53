using System.Diagnostics.Metrics;

namespace TaskService.Events;

/// <summary>Metrics of event routing, on the <c>TaskService.Events</c> meter.</summary>
public static class EventRoutingInstruments
{
    public const string MeterName = "TaskService.Events";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Events whose mapped workflows were started.</summary>
    public static readonly Counter<long> EventsRouted = Meter.CreateCounter<long>("taskservice.events.routed", "{event}");

    /// <summary>
    /// Events whose routing failed and that the router moved past (dead-lettered): they stay recorded as not routed, and the
    /// unrouted-event sweeper tries them again later.
    /// </summary>
    public static readonly Counter<long> EventsFailed = Meter.CreateCounter<long>("taskservice.events.dead_lettered", "{event}");

    /// <summary>Events refused because the routing backlog was over its bound.</summary>
    public static readonly Counter<long> EventsRefused = Meter.CreateCounter<long>("taskservice.events.refused", "{event}");

    /// <summary>Time from an event's arrival at its router until its workflows were started.</summary>
    public static readonly Histogram<double> RoutingDuration = Meter.CreateHistogram<double>("taskservice.events.routing_duration", "ms");

    internal static void ObserveBacklog(Func<int> backlog) =>
        Meter.CreateObservableGauge("taskservice.events.backlog", backlog, "{event}", "Events accepted by this silo's routers and not yet routed.");
}
