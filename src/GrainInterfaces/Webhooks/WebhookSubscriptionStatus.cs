using System.Text.Json.Serialization;

namespace TaskService.Webhooks;

[GenerateSerializer, Alias("TaskService.WebhookSubscriptionStatus")]
[JsonConverter(typeof(JsonStringEnumConverter<WebhookSubscriptionStatus>))]
public enum WebhookSubscriptionStatus
{
    [JsonStringEnumMemberName("active")] Active = 0,

    /// <summary>The receiver answered 410 Gone; nothing more is delivered.</summary>
    [JsonStringEnumMemberName("disabled")] Disabled = 1,
}
