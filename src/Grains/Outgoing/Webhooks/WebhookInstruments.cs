using System.Diagnostics.Metrics;

namespace TaskService.Webhooks;

/// <summary>
/// Metrics of webhook delivery attempts, on the <c>TaskService.Webhooks</c> meter. Each measurement carries the attempt's
/// outcome (<see cref="OutcomeAttribute"/>: <c>delivered</c>, <c>retry</c>, <c>gone</c>, <c>undeliverable</c>).
/// </summary>
public static class WebhookInstruments
{
    public const string MeterName = "TaskService.Webhooks";

    /// <summary>The attribute naming an attempt's outcome.</summary>
    public const string OutcomeAttribute = "taskservice.webhook.outcome";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Deliveries = Meter.CreateCounter<long>(
        "taskservice.webhooks.deliveries", "{delivery}", "Webhook delivery attempts, by outcome.");

    private static readonly Histogram<double> DeliveryDuration = Meter.CreateHistogram<double>(
        "taskservice.webhooks.delivery_duration", "s", "How long webhook delivery attempts took, by outcome.");

    /// <summary>Counts one attempt and records how long it took.</summary>
    public static void Attempted(WebhookDeliveryOutcome outcome, TimeSpan duration)
    {
        var attribute = new KeyValuePair<string, object?>(OutcomeAttribute, Name(outcome));
        Deliveries.Add(1, attribute);
        DeliveryDuration.Record(duration.TotalSeconds, attribute);
    }

    private static string Name(WebhookDeliveryOutcome outcome) => outcome switch
    {
        WebhookDeliveryOutcome.Delivered => "delivered",
        WebhookDeliveryOutcome.Retry => "retry",
        WebhookDeliveryOutcome.Gone => "gone",
        _ => "undeliverable",
    };
}
