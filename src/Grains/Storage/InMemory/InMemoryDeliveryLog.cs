using TaskService.Queries;
using TaskService.Webhooks;

namespace TaskService.Storage.InMemory;

/// <summary>The webhook delivery log of the in-memory store: deliveries and attempts as queryable tables, and each delivery's event.</summary>
internal sealed class InMemoryDeliveryLog
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, QueuedDelivery> _queued = new(StringComparer.Ordinal);
    private long _sequence;

    public InMemoryTable<WebhookDeliveryRecord> Deliveries { get; } = new(EntitySchemas.WebhookDelivery, d => d.Id);

    public InMemoryTable<WebhookDeliveryAttemptRecord> Attempts { get; } = new(EntitySchemas.WebhookDeliveryAttempt, a => a.Id);

    public IReadOnlyList<QueuedDelivery> Append(IReadOnlyList<QueuedDelivery> deliveries)
    {
        var added = new List<QueuedDelivery>(deliveries.Count);
        lock (_lock)
        {
            // As PostgreSQL's identity column does, a row that is there already uses up a sequence number.
            foreach (var delivery in deliveries.DistinctBy(d => d.Id, StringComparer.Ordinal))
            {
                var sequence = ++_sequence;
                if (_queued.ContainsKey(delivery.Id))
                {
                    continue;
                }

                var queued = delivery with { Sequence = sequence };
                _queued[queued.Id] = queued;
                Deliveries.Upsert(queued.ToPendingRecord());
                added.Add(queued);
            }
        }

        return added;
    }

    public IReadOnlyList<QueuedDelivery> Pending(string subscriptionId, int max)
    {
        lock (_lock)
        {
            return
            [
                .. Deliveries.Records
                    .Where(d => d.SubscriptionId == subscriptionId && d.Status == WebhookDeliveryStatus.Pending)
                    .OrderBy(d => d.Sequence)
                    .Take(max)
                    .Select(d => _queued[d.Id] with { Attempts = d.AttemptCount, NextAttemptAt = d.NextAttemptAt ?? DateTimeOffset.MinValue }),
            ];
        }
    }

    public QueuedDelivery? Get(string deliveryId)
    {
        lock (_lock)
        {
            return Deliveries.Get(deliveryId) is { } row ? _queued[deliveryId] with { Attempts = row.AttemptCount, NextAttemptAt = row.NextAttemptAt ?? DateTimeOffset.MinValue } : null;
        }
    }

    public void Record(IReadOnlyList<WebhookDeliveryUpdate> updates)
    {
        lock (_lock)
        {
            foreach (var update in updates)
            {
                if (Deliveries.Get(update.DeliveryId) is not { } row)
                {
                    continue;
                }

                Deliveries.Upsert(row with
                {
                    Status = update.Status,
                    AttemptCount = update.Attempts,
                    NextAttemptAt = update.NextAttemptAt,
                    LastStatusCode = update.LastStatusCode,
                    LastError = update.LastError,
                    LastDurationMs = update.LastDurationMs,
                    ModifiedOn = update.ModifiedOn,
                    DeliveredOn = update.DeliveredOn,
                });
                if (update.Attempt is { } attempt)
                {
                    Attempts.TryAdd(attempt);
                }
            }
        }
    }

    public WebhookDeliveryStats Stats(string subscriptionId)
    {
        lock (_lock)
        {
            var rows = Deliveries.Records.Where(d => d.SubscriptionId == subscriptionId).ToArray();
            var lastError = rows.Where(d => d.LastError is not null).Select(d => (d.ModifiedOn, Error: d.LastError))
                .Concat(Attempts.Records.Where(a => a.SubscriptionId == subscriptionId && a.Error is not null).Select(a => (ModifiedOn: a.AttemptedOn, a.Error)))
                .OrderByDescending(e => e.ModifiedOn)
                .Select(e => e.Error)
                .FirstOrDefault();
            return new WebhookDeliveryStats
            {
                Pending = rows.Count(d => d.Status == WebhookDeliveryStatus.Pending),
                Delivered = rows.Count(d => d.Status == WebhookDeliveryStatus.Delivered),
                Failed = rows.Count(d => d.Status == WebhookDeliveryStatus.Failed),
                LastError = lastError,
            };
        }
    }

    public IReadOnlyList<string> DueSubscriptions(DateTimeOffset dueBefore, int max)
    {
        lock (_lock)
        {
            return
            [
                .. Deliveries.Records
                    .Where(d => d.Status == WebhookDeliveryStatus.Pending && (d.NextAttemptAt ?? d.CreatedOn) < dueBefore)
                    .GroupBy(d => d.SubscriptionId, StringComparer.Ordinal)
                    .OrderBy(g => g.Min(d => d.NextAttemptAt ?? d.CreatedOn))
                    .ThenBy(g => g.Key, StringComparer.Ordinal)
                    .Take(max)
                    .Select(g => g.Key),
            ];
        }
    }

    public int Purge(DateTimeOffset finishedBefore, int max)
    {
        lock (_lock)
        {
            var expired = Deliveries.Records
                .Where(d => d.Status != WebhookDeliveryStatus.Pending && d.ModifiedOn < finishedBefore)
                .Take(max)
                .Select(d => d.Id)
                .ToHashSet(StringComparer.Ordinal);
            Remove(expired);
            return expired.Count;
        }
    }

    public void DeleteSubscription(string subscriptionId)
    {
        lock (_lock)
        {
            Remove(Deliveries.Records.Where(d => d.SubscriptionId == subscriptionId).Select(d => d.Id).ToHashSet(StringComparer.Ordinal));
        }
    }

    private void Remove(HashSet<string> deliveryIds)
    {
        if (deliveryIds.Count == 0)
        {
            return;
        }

        foreach (var id in deliveryIds)
        {
            Deliveries.Remove(id);
            _queued.Remove(id);
        }

        Attempts.RemoveWhere(a => deliveryIds.Contains(a.DeliveryId));
    }
}
