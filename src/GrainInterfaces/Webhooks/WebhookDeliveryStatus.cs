using System.Text.Json.Serialization;

namespace TaskService.Webhooks;

/// <summary>Where one delivery of an event to a subscription stands.</summary>
[GenerateSerializer, Alias("TaskService.WebhookDeliveryStatus")]
[JsonConverter(typeof(JsonStringEnumConverter<WebhookDeliveryStatus>))]
public enum WebhookDeliveryStatus
{
    /// <summary>Waiting for its first attempt or for a retry.</summary>
    [JsonStringEnumMemberName("pending")] Pending = 0,

    /// <summary>The receiver answered 2xx.</summary>
    [JsonStringEnumMemberName("delivered")] Delivered = 1,

    /// <summary>Given up: the attempts ran out, the URL may not be reached, or the subscription was disabled.</summary>
    [JsonStringEnumMemberName("failed")] Failed = 2,
}
