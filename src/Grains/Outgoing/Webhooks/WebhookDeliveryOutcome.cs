namespace TaskService.Webhooks;

public enum WebhookDeliveryOutcome
{
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>A network error, timeout or non-2xx answer: try again later.</summary>
    Retry,

    /// <summary>The receiver answered 410 Gone: the subscription is disabled.</summary>
    Gone,

    /// <summary>The URL may not be reached (its address is refused by the webhook URL policy): the event is not retried.</summary>
    Undeliverable,
}
