using System.Text.Json;
using Npgsql;
using NpgsqlTypes;
using TaskService.Events;
using TaskService.Serialization;
using TaskService.Webhooks;
using static TaskService.Storage.Postgres.PostgresRows;

namespace TaskService.Storage.Postgres;

/// <summary>The webhook delivery log (<c>scripts/sql/0103_webhook_deliveries.sql</c>): appended in batches, updated per outcome.</summary>
public sealed partial class PostgresTaskServiceStore
{
    private const string SelectQueued =
        "SELECT id, seq, subscription_id, client_app_id, event::text, attempts, next_attempt_at, redelivery_of, created_on FROM main.webhook_deliveries";

    public async Task<IReadOnlyList<QueuedDelivery>> AppendDeliveriesAsync(IReadOnlyList<QueuedDelivery> deliveries, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(deliveries);
        if (deliveries.Count == 0)
        {
            return [];
        }

        // One multi-row INSERT for the whole batch, every subscription: all or none. Rows get their seq in the given order;
        // RETURNING lists only the rows added (a delivery appended before keeps its row).
        var byId = DistinctDeliveries(deliveries);
        var rows = byId.Values.ToArray();
        var added = await _batcher.RunAsync("webhook delivery", [BatchCommand(
            """
            INSERT INTO main.webhook_deliveries
                (id, subscription_id, client_app_id, event_id, event_type, event, redelivery_of, status, attempts, next_attempt_at, created_on, modified_on)
            SELECT d.id, d.subscription_id, d.client_app_id, d.event_id, d.event_type, d.event, d.redelivery_of, 'pending', d.attempts,
                   d.next_attempt_at, d.created_on, d.created_on
            FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::json[], $7::text[], $8::int[], $9::timestamptz[], $10::timestamptz[])
                 WITH ORDINALITY AS d (id, subscription_id, client_app_id, event_id, event_type, event, redelivery_of, attempts, next_attempt_at, created_on, n)
            ORDER BY d.n
            ON CONFLICT (id) DO NOTHING
            RETURNING id, seq
            """,
                TextArray(rows.Select(d => d.Id)),
                TextArray(rows.Select(d => d.SubscriptionId)),
                TextArray(rows.Select(d => d.ClientAppId)),
                TextArray(rows.Select(d => d.Event.Id)),
                TextArray(rows.Select(d => d.Event.Key)),
                Parameter(rows.Select(d => JsonSerializer.Serialize(d.Event, ContractJson.Options)).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Json),
                Parameter(rows.Select(d => d.RedeliveryOf).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text),
                Parameter(rows.Select(d => d.Attempts).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer),
                Parameter(rows.Select(d => d.NextAttemptAt.UtcDateTime).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.TimestampTz),
                Parameter(rows.Select(d => d.CreatedOn.UtcDateTime).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.TimestampTz))],
            1,
            (reader, _) => byId[reader.GetString(0)] with { Sequence = reader.GetInt64(1) },
            static rows => rows[0].Cast<QueuedDelivery>().ToArray());
        return [.. added.OrderBy(d => d.Sequence)];
    }

    /// <summary>The deliveries by id, in order; a delivery listed twice counts once.</summary>
    private static Dictionary<string, QueuedDelivery> DistinctDeliveries(IEnumerable<QueuedDelivery> deliveries)
    {
        var byId = new Dictionary<string, QueuedDelivery>(StringComparer.Ordinal);
        foreach (var delivery in deliveries)
        {
            byId.TryAdd(delivery.Id, delivery);
        }

        return byId;
    }

    public Task<IReadOnlyList<QueuedDelivery>> GetPendingDeliveriesAsync(string subscriptionId, int max, CancellationToken cancellationToken = default) =>
        ReadListAsync(
            $"{SelectQueued} WHERE subscription_id = $1 AND status = 'pending' ORDER BY seq LIMIT $2",
            [Text(subscriptionId), Integer(Math.Max(max, 0))],
            ReadQueued,
            cancellationToken);

    public async Task<QueuedDelivery?> GetDeliveryAsync(string deliveryId, CancellationToken cancellationToken = default) =>
        (await ReadListAsync($"{SelectQueued} WHERE id = $1", [Text(deliveryId)], ReadQueued, cancellationToken)).SingleOrDefault();

    public async Task RecordDeliveryUpdatesAsync(IReadOnlyList<WebhookDeliveryUpdate> updates, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(updates);
        if (updates.Count == 0)
        {
            return;
        }

        // A row changed twice in one batch takes its last values (an UPDATE ... FROM would pick one of the two at random).
        var last = new Dictionary<string, WebhookDeliveryUpdate>(StringComparer.Ordinal);
        foreach (var update in updates)
        {
            last[update.DeliveryId] = update;
        }

        var rows = last.Values.ToArray();

        // An attempt that delivered the event and is the delivery's last update here is kept in the delivery's row (0108):
        // main.webhook_delivery_attempts shows it from there. The other attempts are rows of their own.
        var attempts = updates
            .Where(u => u.Attempt is not null && !(u.Status == WebhookDeliveryStatus.Delivered && ReferenceEquals(last[u.DeliveryId], u)))
            .Select(u => u.Attempt!)
            .ToArray();

        // One write: every delivery's row and the rows of the attempts that need one.
        var commands = new List<NpgsqlBatchCommand>();
        commands.Add(BatchCommand(
            """
            UPDATE main.webhook_deliveries AS d
               SET status = u.status, attempts = u.attempts, next_attempt_at = u.next_attempt_at, last_status_code = u.last_status_code,
                   last_error = u.last_error, last_duration_ms = u.last_duration_ms, modified_on = u.modified_on, delivered_on = u.delivered_on,
                   last_attempted_on = u.last_attempted_on
              FROM unnest($1::text[], $2::text[], $3::int[], $4::timestamptz[], $5::int[], $6::text[], $7::int[], $8::timestamptz[], $9::timestamptz[], $10::timestamptz[])
                   AS u (id, status, attempts, next_attempt_at, last_status_code, last_error, last_duration_ms, modified_on, delivered_on, last_attempted_on)
             WHERE d.id = u.id
            """,
            TextArray(rows.Select(u => u.DeliveryId)),
            TextArray(rows.Select(u => EnumText(u.Status))),
            Parameter(rows.Select(u => u.Attempts).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer),
            Instants(rows.Select(u => u.NextAttemptAt)),
            Parameter(rows.Select(u => u.LastStatusCode).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer),
            Parameter(rows.Select(u => u.LastError).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text),
            Parameter(rows.Select(u => u.LastDurationMs).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer),
            Instants(rows.Select(u => (DateTimeOffset?)u.ModifiedOn)),
            Instants(rows.Select(u => u.DeliveredOn)),
            Instants(rows.Select(u => u.Attempt?.AttemptedOn))));
        if (attempts.Length > 0)
        {
            // Attempts of deliveries deleted meanwhile (with their subscription) are dropped rather than failing the batch.
            commands.Add(BatchCommand(
                """
                INSERT INTO main.webhook_delivery_attempt_rows
                    (id, delivery_id, subscription_id, attempt, attempted_on, status_code, duration_ms, error, next_attempt_at)
                SELECT a.id, a.delivery_id, a.subscription_id, a.attempt, a.attempted_on, a.status_code, a.duration_ms, a.error, a.next_attempt_at
                  FROM unnest($1::text[], $2::text[], $3::text[], $4::int[], $5::timestamptz[], $6::int[], $7::int[], $8::text[], $9::timestamptz[])
                       AS a (id, delivery_id, subscription_id, attempt, attempted_on, status_code, duration_ms, error, next_attempt_at)
                 WHERE EXISTS (SELECT 1 FROM main.webhook_deliveries AS d WHERE d.id = a.delivery_id)
                ON CONFLICT (id) DO NOTHING
                """,
                TextArray(attempts.Select(a => a.Id)),
                TextArray(attempts.Select(a => a.DeliveryId)),
                TextArray(attempts.Select(a => a.SubscriptionId)),
                Parameter(attempts.Select(a => a.Attempt).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer),
                Instants(attempts.Select(a => (DateTimeOffset?)a.AttemptedOn)),
                Parameter(attempts.Select(a => a.StatusCode).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer),
                Parameter(attempts.Select(a => a.DurationMs).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Integer),
                Parameter(attempts.Select(a => a.Error).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.Text),
                Instants(attempts.Select(a => a.NextAttemptAt))));
        }

        await _batcher.WriteAsync("webhook delivery", commands);
    }

    public async Task<WebhookDeliveryStats> GetDeliveryStatsAsync(string subscriptionId, CancellationToken cancellationToken = default)
    {
        var stats = await ReadListAsync(
            """
            SELECT count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'delivered'), count(*) FILTER (WHERE status = 'failed'),
                   (SELECT e.error FROM (
                        SELECT last_error AS error, modified_on AS at FROM main.webhook_deliveries WHERE subscription_id = $1 AND last_error IS NOT NULL
                        UNION ALL
                        SELECT error, attempted_on FROM main.webhook_delivery_attempt_rows WHERE subscription_id = $1 AND error IS NOT NULL) AS e
                    ORDER BY e.at DESC LIMIT 1)
              FROM main.webhook_deliveries WHERE subscription_id = $1
            """,
            [Text(subscriptionId)],
            reader => new WebhookDeliveryStats
            {
                Pending = (int)reader.GetInt64(0),
                Delivered = reader.GetInt64(1),
                Failed = reader.GetInt64(2),
                LastError = reader.IsDBNull(3) ? null : reader.GetString(3),
            },
            cancellationToken);
        return stats[0];
    }

    public Task<IReadOnlyList<string>> GetSubscriptionsWithDueDeliveriesAsync(DateTimeOffset dueBefore, int max, CancellationToken cancellationToken = default) =>
        ReadListAsync(
            "SELECT subscription_id FROM main.webhook_deliveries WHERE status = 'pending' AND next_attempt_at < $1 " +
            "GROUP BY subscription_id ORDER BY min(next_attempt_at), subscription_id COLLATE \"C\" LIMIT $2",
            [Instant(dueBefore), Integer(Math.Max(max, 0))],
            reader => reader.GetString(0),
            cancellationToken);

    public async Task<int> PurgeDeliveryLogAsync(DateTimeOffset finishedBefore, int max, CancellationToken cancellationToken = default)
    {
        // Silos sweep at the same time: each deletes rows the others have not locked. Attempts go with their deliveries.
        await using var command = Command(
            """
            DELETE FROM main.webhook_deliveries WHERE id IN (
                SELECT id FROM main.webhook_deliveries WHERE status <> 'pending' AND modified_on < $1
                 ORDER BY modified_on LIMIT $2 FOR UPDATE SKIP LOCKED)
            """,
            Instant(finishedBefore), Integer(Math.Max(max, 0)));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task<int> PurgeOutboxAsync(DateTimeOffset writtenBefore, int max, CancellationToken cancellationToken = default)
    {
        // The oldest dispatched entries by sequence (the primary key's order, so each sweep reads a few index pages however large
        // the outbox, passing over the entries not dispatched yet): those past the retention go. Entries that wait long to be
        // dispatched (a receiver down) do not hold back the sweep of the newer ones. Only the deleted rows are locked, so
        // dispatchers claiming entries never skip one for the sweep (an entry, once dispatched, stays so). Silos sweep at the
        // same time: each takes rows the others have not locked.
        await using var command = Command(
            """
            DELETE FROM main.outbox WHERE seq IN (
                SELECT seq FROM main.outbox
                 WHERE seq IN (SELECT seq FROM main.outbox WHERE dispatched_on IS NOT NULL ORDER BY seq LIMIT $2) AND created_on < $1
                   FOR UPDATE SKIP LOCKED)
            """,
            Instant(writtenBefore), Integer(Math.Max(max, 0)));
        return await command.ExecuteNonQueryAsync(cancellationToken);
    }

    private static NpgsqlParameter Instants(IEnumerable<DateTimeOffset?> values) =>
        Parameter(values.Select(v => v?.UtcDateTime).ToArray(), NpgsqlDbType.Array | NpgsqlDbType.TimestampTz);

    private static QueuedDelivery ReadQueued(NpgsqlDataReader reader)
    {
        var row = new Cursor(reader);
        var id = row.String();
        return new QueuedDelivery
        {
            Id = id,
            Sequence = row.Int64(),
            SubscriptionId = row.String(),
            ClientAppId = row.String(),
            Event = JsonSerializer.Deserialize<OutgoingEvent>(row.String(), ContractJson.Options)
                ?? throw new InvalidOperationException($"Webhook delivery {id} has an empty event."),
            Attempts = row.Int32(),
            NextAttemptAt = row.NullableInstant() ?? DateTimeOffset.MinValue,
            RedeliveryOf = row.NullableString(),
            CreatedOn = row.Instant(),
        };
    }
}
