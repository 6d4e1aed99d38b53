namespace TaskService.Webhooks;

public enum WebhookDeliveryOutcome
{
    /// <summary>The receiver answered 2xx.</summary>
    Delivered,

    /// <summary>A network error, timeout or non-2xx answer: try again later.</summary>
    Retry,

    /// <summary>The receiver answered 410 Gone: the subscription is disabled.</summary>
    Gone,
}
