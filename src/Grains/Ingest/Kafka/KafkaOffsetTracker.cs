namespace TaskService.Connectors.Kafka;

/// <summary>
/// Tracks one partition's offsets from read to handled and tells which offset may be committed: the one after the last offset
/// before which everything read was handled (delivered to the event router or dead-lettered). Offsets may be handled out of order
/// (a dead-lettered message, another stream's message); the commit only ever moves over a contiguous handled prefix.
/// Thread-safe: dead-letter acknowledgements arrive on librdkafka's threads.
/// </summary>
public sealed class KafkaOffsetTracker
{
    private readonly Lock _lock = new();
    private readonly Queue<long> _pending = new();
    private readonly HashSet<long> _handled = [];
    private long _next = -1;
    private long _stored = -1;
    private long _lastRead = -1;
    private long _firstRead = -1;

    /// <summary>Offsets read and not handled yet.</summary>
    public int PendingCount
    {
        get
        {
            lock (_lock)
            {
                return _pending.Count;
            }
        }
    }

    /// <summary>The first offset read (where reading started: the committed offset, or the start position), or -1.</summary>
    public long FirstRead
    {
        get
        {
            lock (_lock)
            {
                return _firstRead;
            }
        }
    }

    /// <summary>The offset the next commit names (the next one to read after a restart), or -1 before anything was handled.</summary>
    public long Next
    {
        get
        {
            lock (_lock)
            {
                return _next;
            }
        }
    }

    /// <summary>
    /// Notes an offset as read. Returns false for an offset at or before one read already (the client went back after an error);
    /// that message is in hand already and is skipped.
    /// </summary>
    public bool Read(long offset)
    {
        lock (_lock)
        {
            if (offset <= _lastRead)
            {
                return false;
            }

            if (_firstRead < 0)
            {
                _firstRead = offset;
            }

            _lastRead = offset;
            _pending.Enqueue(offset);
            return true;
        }
    }

    /// <summary>Notes an offset as handled.</summary>
    public void Handled(long offset)
    {
        lock (_lock)
        {
            _handled.Add(offset);
            while (_pending.TryPeek(out var first) && _handled.Remove(first))
            {
                _pending.Dequeue();
                _next = first + 1;
            }
        }
    }

    /// <summary>
    /// Takes back an offset taken by <see cref="TryTakeCommittable"/> whose storing failed, so that the next call returns it (or a
    /// later one) again.
    /// </summary>
    public void StoreFailed(long offset)
    {
        lock (_lock)
        {
            if (_stored == offset)
            {
                _stored = -1;
            }
        }
    }

    /// <summary>Returns the offset to commit when it moved since the last call.</summary>
    public bool TryTakeCommittable(out long offset)
    {
        lock (_lock)
        {
            offset = _next;
            if (_next > _stored)
            {
                _stored = _next;
                return true;
            }

            return false;
        }
    }
}
