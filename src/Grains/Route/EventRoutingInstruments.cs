using System.Diagnostics.Metrics;

namespace TaskService.Events;

/// <summary>Metrics of event ingestion and routing, on the <c>TaskService.Events</c> meter.</summary>
public static class EventRoutingInstruments
{
    public const string MeterName = "TaskService.Events";

    private static readonly Meter Meter = new(MeterName);

    /// <summary>Events recorded and queued for routing, whichever way they came in (HTTP, an Orleans client, Kafka).</summary>
    public static readonly Counter<long> EventsAccepted = Meter.CreateCounter<long>(
        "taskservice.events.accepted", "{event}", "Events recorded and queued for routing.");

    /// <summary>Events whose mapped workflows were started.</summary>
    public static readonly Counter<long> EventsRouted = Meter.CreateCounter<long>(
        "taskservice.events.routed", "{event}", "Events whose mapped workflows were started.");

    /// <summary>
    /// Events whose routing failed and that the router moved past (dead-lettered): they stay recorded as not routed, and the
    /// unrouted-event sweeper tries them again later.
    /// </summary>
    public static readonly Counter<long> EventsFailed = Meter.CreateCounter<long>(
        "taskservice.events.dead_lettered", "{event}", "Events whose routing failed; left unrouted for the sweeper.");

    /// <summary>Events refused because the routing backlog was over its bound.</summary>
    public static readonly Counter<long> EventsRefused = Meter.CreateCounter<long>(
        "taskservice.events.refused", "{event}", "Events refused because the routing backlog was over its bound.");

    /// <summary>Time from an event's acceptance by its router until its workflows were started, in seconds.</summary>
    public static readonly Histogram<double> RoutingLag = Meter.CreateHistogram<double>(
        "taskservice.events.routing_lag", "s", "Time from an event's acceptance until its workflows were started.");

    internal static void ObserveBacklog(Func<int> backlog) =>
        Meter.CreateObservableGauge("taskservice.events.backlog", backlog, "{event}", "Events accepted by this silo's routers and not yet routed.");
}
