namespace TaskService.Webhooks;

/// <summary>A URL that receives every outgoing event whose key equals <see cref="Key"/>.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.WebhookSubscriptionRecord")]
public sealed record WebhookSubscriptionRecord
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public required string Url { get; init; }

    [Id(2)] public required string Key { get; init; }

    /// <summary>The client app that owns the subscription; its secret signs the deliveries.</summary>
    [Id(3)] public required string ClientAppId { get; init; }

    [Id(4)] public WebhookSubscriptionStatus Status { get; init; }

    /// <summary>Why the subscription was disabled, when it was.</summary>
    [Id(5)] public string? StatusReason { get; init; }

    [Id(6)] public DateTimeOffset CreatedOn { get; init; }

    [Id(7)] public DateTimeOffset ModifiedOn { get; init; }
}
