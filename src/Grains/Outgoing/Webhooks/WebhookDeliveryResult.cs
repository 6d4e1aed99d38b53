namespace TaskService.Webhooks;

/// <summary>The outcome of one delivery attempt.</summary>
public sealed record WebhookDeliveryResult(WebhookDeliveryOutcome Outcome, int? StatusCode, string? Error, TimeSpan? RetryAfter)
{
    public static WebhookDeliveryResult Delivered(int statusCode) => new(WebhookDeliveryOutcome.Delivered, statusCode, null, null);
}
