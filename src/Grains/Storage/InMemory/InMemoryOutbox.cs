using TaskService.Events;

namespace TaskService.Storage.InMemory;

/// <summary>The outbox of the in-memory store: entries in the order written, each claimed for a while by a dispatcher.</summary>
internal sealed class InMemoryOutbox(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, Entry> _pending = [];
    private readonly HashSet<string> _eventIds = new(StringComparer.Ordinal);

    // Every entry written and kept, in sequence order: its event id and when it was written (the rows of the PostgreSQL outbox).
    private readonly SortedDictionary<long, (string EventId, DateTimeOffset WrittenOn)> _written = [];
    private long _sequence;

    public IReadOnlyList<OutboxEntry> Append(IReadOnlyList<OutgoingEvent> events, TimeSpan? lease = null)
    {
        var now = time.GetUtcNow();
        var claimedUntil = lease is { } claim ? now + claim : (DateTimeOffset?)null;
        var added = new List<OutboxEntry>(events.Count);
        lock (_lock)
        {
            foreach (var outgoing in events)
            {
                if (_eventIds.Add(outgoing.Id))
                {
                    var sequence = ++_sequence;
                    var entry = new OutboxEntry(sequence, outgoing);
                    _pending[sequence] = new Entry(entry, now) { ClaimedUntil = claimedUntil };
                    _written[sequence] = (outgoing.Id, now);
                    added.Add(entry);
                }
            }
        }

        return added;
    }

    public IReadOnlyList<OutboxEntry> Claim(int max, TimeSpan lease)
    {
        var now = time.GetUtcNow();
        lock (_lock)
        {
            var claimed = new List<OutboxEntry>(Math.Min(max, _pending.Count));
            foreach (var entry in _pending.Values)
            {
                if (claimed.Count == max)
                {
                    break;
                }

                if (entry.ClaimedUntil is { } until && until > now)
                {
                    continue;
                }

                entry.ClaimedUntil = now + lease;
                claimed.Add(entry.Value);
            }

            return claimed;
        }
    }

    public void MarkDispatched(IReadOnlyList<long> sequences)
    {
        lock (_lock)
        {
            foreach (var sequence in sequences)
            {
                _pending.Remove(sequence);
            }
        }
    }

    /// <summary>
    /// Forgets dispatched entries written before <paramref name="writtenBefore"/> among the <paramref name="max"/> oldest
    /// dispatched ones, as the PostgreSQL store deletes them; their event ids can be appended again.
    /// </summary>
    public int Purge(DateTimeOffset writtenBefore, int max)
    {
        lock (_lock)
        {
            var purged = _written
                .Where(w => !_pending.ContainsKey(w.Key))
                .Take(Math.Max(max, 0))
                .Where(w => w.Value.WrittenOn < writtenBefore)
                .ToList();
            foreach (var (sequence, (eventId, _)) in purged)
            {
                _eventIds.Remove(eventId);
                _written.Remove(sequence);
            }

            return purged.Count;
        }
    }

    /// <summary>The entries not yet dispatched; the first by sequence is the oldest.</summary>
    public OutboxBacklog Backlog()
    {
        lock (_lock)
        {
            return _pending.Count == 0 ? OutboxBacklog.Empty : new OutboxBacklog(_pending.Count, _pending.First().Value.CreatedOn);
        }
    }

    private sealed class Entry(OutboxEntry value, DateTimeOffset createdOn)
    {
        public OutboxEntry Value { get; } = value;

        public DateTimeOffset CreatedOn { get; } = createdOn;

        public DateTimeOffset? ClaimedUntil { get; set; }
    }
}
