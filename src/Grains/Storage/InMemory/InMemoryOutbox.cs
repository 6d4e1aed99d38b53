using TaskService.Events;

namespace TaskService.Storage.InMemory;

/// <summary>The outbox of the in-memory store: entries in the order written, each claimed for a while by a dispatcher.</summary>
internal sealed class InMemoryOutbox(TimeProvider time)
{
    private readonly Lock _lock = new();
    private readonly SortedDictionary<long, Entry> _pending = [];
    private readonly HashSet<string> _eventIds = new(StringComparer.Ordinal);
    private long _sequence;

    public void Append(IReadOnlyList<OutgoingEvent> events)
    {
        lock (_lock)
        {
            foreach (var outgoing in events)
            {
                if (_eventIds.Add(outgoing.Id))
                {
                    var sequence = ++_sequence;
                    _pending[sequence] = new Entry(new OutboxEntry(sequence, outgoing));
                }
            }
        }
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

    private sealed class Entry(OutboxEntry value)
    {
        public OutboxEntry Value { get; } = value;

        public DateTimeOffset? ClaimedUntil { get; set; }
    }
}
