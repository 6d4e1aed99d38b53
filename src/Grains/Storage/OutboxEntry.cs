using TaskService.Events;
using TaskService.Webhooks;

namespace TaskService.Storage;

/// <summary>An outgoing event waiting in the outbox, by the order it was written in.</summary>
public sealed record OutboxEntry(long Sequence, OutgoingEvent Event)
{
    /// <summary>
    /// The webhook delivery rows appended in the transaction that wrote the entry (see
    /// <see cref="ITaskServiceStore.AppendClaimedOutboxAsync"/>), with their sequence; empty when no subscription takes the event.
    /// Null when none were appended with it (an entry read from the outbox, or written without rows): the webhook connector
    /// appends them when it is handed the entry.
    /// </summary>
    public IReadOnlyList<QueuedDelivery>? Deliveries { get; init; }

    /// <summary>
    /// Whether the entry was written dispatched, its <see cref="Deliveries"/> being all its hand-over: the dispatcher hands
    /// them over and marks nothing.
    /// </summary>
    public bool Dispatched { get; init; }

    /// <summary>The <paramref name="entries"/> with the <paramref name="rows"/> appended with them, each entry its own (by event id).</summary>
    internal static IReadOnlyList<OutboxEntry> WithDeliveries(IReadOnlyList<OutboxEntry> entries, IReadOnlyList<QueuedDelivery> rows, bool dispatched = false)
    {
        // Plain loops: this runs for every event written with its delivery rows, mostly one entry that owns every row.
        var result = new OutboxEntry[entries.Count];
        for (var i = 0; i < result.Length; i++)
        {
            var entry = entries[i];
            result[i] = entry with { Deliveries = RowsOf(entry.Event.Id, rows), Dispatched = dispatched };
        }

        return result;
    }

    private static IReadOnlyList<QueuedDelivery> RowsOf(string eventId, IReadOnlyList<QueuedDelivery> rows)
    {
        var owned = 0;
        foreach (var row in rows)
        {
            if (row.Event.Id == eventId)
            {
                owned++;
            }
        }

        if (owned == rows.Count)
        {
            return rows;
        }

        var own = new QueuedDelivery[owned];
        var n = 0;
        foreach (var row in rows)
        {
            if (row.Event.Id == eventId)
            {
                own[n++] = row;
            }
        }

        return own;
    }
}
