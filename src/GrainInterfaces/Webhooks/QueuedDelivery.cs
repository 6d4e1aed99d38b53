using TaskService.Events;

namespace TaskService.Webhooks;

/// <summary>
/// A pending delivery as the store holds it and a subscription grain works it off: the event, where it stands and its place
/// in the subscription's order (<see cref="Sequence"/>, given by the store when the row is appended).
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.QueuedDelivery")]
public sealed record QueuedDelivery
{
    [Id(0)] public required string Id { get; init; }

    [Id(1)] public long Sequence { get; init; }

    [Id(2)] public required string SubscriptionId { get; init; }

    [Id(3)] public required string ClientAppId { get; init; }

    [Id(4)] public required OutgoingEvent Event { get; init; }

    [Id(5)] public int Attempts { get; init; }

    [Id(6)] public DateTimeOffset NextAttemptAt { get; init; }

    [Id(7)] public string? RedeliveryOf { get; init; }

    [Id(8)] public DateTimeOffset CreatedOn { get; init; }

    /// <summary>
    /// The first delivery of <paramref name="outgoingEvent"/> to <paramref name="subscription"/>. Its id derives from both, so the
    /// same event handed over again (the outbox retried) is appended once.
    /// </summary>
    public static QueuedDelivery First(WebhookSubscriptionRecord subscription, OutgoingEvent outgoingEvent, DateTimeOffset now) => new()
    {
        Id = Common.DeterministicId.From("webhook-delivery", subscription.Id, outgoingEvent.Id),
        SubscriptionId = subscription.Id,
        ClientAppId = subscription.ClientAppId,
        Event = outgoingEvent,
        NextAttemptAt = now,
        CreatedOn = now,
    };

    /// <summary>The delivery log row of this delivery as it is appended: pending, no attempt made.</summary>
    public WebhookDeliveryRecord ToPendingRecord() => new()
    {
        Id = Id,
        SubscriptionId = SubscriptionId,
        ClientAppId = ClientAppId,
        EventId = Event.Id,
        EventType = Event.Key,
        Sequence = Sequence,
        Status = WebhookDeliveryStatus.Pending,
        AttemptCount = Attempts,
        NextAttemptAt = NextAttemptAt,
        RedeliveryOf = RedeliveryOf,
        CreatedOn = CreatedOn,
        ModifiedOn = CreatedOn,
    };
}
