using Orleans.Runtime;
using Orleans.Streams;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// The cache of one partition's queue. It hands messages to the pulling agent's per-stream cursors and gives a message back for
/// purging (and so for committing) only once every cursor of its stream has moved past it. The agent moves a cursor on only after
/// the message it returned was delivered to the consumer (the event router) or its failure was handled by the
/// <see cref="KafkaDeliveryFailureHandler"/>, so a purged message is a handled one; the cache never drops anything unhandled, and
/// a full cache stops reading instead (back-pressure). Only the pulling agent of the queue calls it, one call at a time.
/// </summary>
public sealed class KafkaQueueCache(int maxSize) : IQueueCache
{
    private readonly Queue<Entry> _all = new();
    private readonly Dictionary<StreamId, StreamEntries> _streams = [];
    private int _messages;

    /// <summary>Messages held (in batches of one read of a stream), handled or not.</summary>
    public int Count => _messages;

    /// <summary>
    /// Never zero: the pulling agent skips its whole read step, purging included, when this is zero, so a full cache would never
    /// purge and never empty. <see cref="IsUnderPressure"/> is what stops reading while the cache is full.
    /// </summary>
    public int GetMaxAddCount() => Math.Max(1, maxSize - _messages);

    public bool IsUnderPressure() => _messages >= maxSize;

    public void AddToCache(IList<IBatchContainer> messages)
    {
        foreach (var message in messages)
        {
            var batch = message as KafkaBatchContainer
                ?? throw new ArgumentException($"Only {nameof(KafkaBatchContainer)}s belong in this cache, not {message.GetType().Name}.", nameof(messages));
            var stream = GetOrAddStream(batch.StreamId);
            var entry = new Entry(batch, stream);
            stream.Items.Add(entry);
            _all.Enqueue(entry);
            _messages += batch.Offsets.Count;
        }
    }

    public bool TryPurgeFromCache(out IList<IBatchContainer> purgedItems)
    {
        List<IBatchContainer>? purged = null;
        while (_all.TryPeek(out var entry) && entry.Offset <= entry.Stream.Passed)
        {
            _all.Dequeue();
            _messages -= entry.Batch.Offsets.Count;
            entry.Stream.RemoveHead(entry);
            (purged ??= []).Add(entry.Batch);
            if (entry.Stream.IsIdle)
            {
                _streams.Remove(entry.Batch.StreamId);
            }
        }

        purgedItems = purged!;
        return purged is not null;
    }

    [Obsolete("Use TryGetCacheCursor instead.")]
    public IQueueCacheCursor GetCacheCursor(StreamId streamId, StreamSequenceToken? token) => CreateCursor(streamId, token);

    public QueueCacheCursorResult<IQueueCacheCursor> TryGetCacheCursor(StreamId streamId, StreamSequenceToken? token) =>
        QueueCacheCursorResult<IQueueCacheCursor>.FromCursor(CreateCursor(streamId, token));

    public QueueCacheCursorResult<IQueueCacheCursor> TryGetCacheCursorAtPosition(StreamId streamId, StreamSubscriptionStartPosition startPosition)
    {
        switch (startPosition)
        {
            case StreamSubscriptionStartPosition.Latest:
                return TryGetCacheCursor(streamId, null);
            case StreamSubscriptionStartPosition.EarliestAvailable:
                var stream = GetOrAddStream(streamId);
                var passed = stream.TryGetFirst(out var first) ? first.Offset - 1 : stream.Passed;
                return QueueCacheCursorResult<IQueueCacheCursor>.FromCursor(stream.AddCursor(passed));
            default:
                throw new ArgumentOutOfRangeException(nameof(startPosition), startPosition, "The subscription start position is not defined.");
        }
    }

    /// <summary>
    /// A cursor at <paramref name="token"/> (inclusive); without a token, at the stream's first message that not every cursor
    /// passed yet, so a consumer that lost its place gets everything not known to be handled.
    /// </summary>
    private KafkaQueueCacheCursor CreateCursor(StreamId streamId, StreamSequenceToken? token)
    {
        var stream = GetOrAddStream(streamId);
        return stream.AddCursor(token is null ? stream.Passed : token.SequenceNumber - 1);
    }

    private StreamEntries GetOrAddStream(StreamId streamId)
    {
        if (!_streams.TryGetValue(streamId, out var stream))
        {
            stream = new StreamEntries();
            _streams.Add(streamId, stream);
        }

        return stream;
    }

    internal sealed class Entry(KafkaBatchContainer batch, StreamEntries stream)
    {
        public KafkaBatchContainer Batch { get; } = batch;

        public StreamEntries Stream { get; } = stream;

        public long Offset => Batch.Offset;
    }

    /// <summary>One stream's messages in offset order, and the cursors reading them.</summary>
    internal sealed class StreamEntries
    {
        private const int CompactAfter = 256;
        private readonly List<KafkaQueueCacheCursor> _cursors = [];

        /// <summary>Items[Head..] are held; Items[i] has the logical index Base + i, which stays valid across compaction.</summary>
        public List<Entry?> Items { get; } = [];

        public int Head { get; private set; }

        public long Base { get; private set; }

        /// <summary>Every cursor of the stream moved past every message up to this offset. Kept when the last cursor goes away.</summary>
        public long Passed { get; private set; } = -1;

        public bool IsIdle => _cursors.Count == 0 && Head == Items.Count;

        public bool TryGetFirst(out Entry first)
        {
            first = Head < Items.Count ? Items[Head]! : null!;
            return first is not null;
        }

        public KafkaQueueCacheCursor AddCursor(long passed)
        {
            var cursor = new KafkaQueueCacheCursor(this, passed);
            _cursors.Add(cursor);
            UpdatePassed();
            return cursor;
        }

        public void RemoveCursor(KafkaQueueCacheCursor cursor)
        {
            if (_cursors.Remove(cursor))
            {
                UpdatePassed();
            }
        }

        public void UpdatePassed()
        {
            if (_cursors.Count == 0)
            {
                return;
            }

            var passed = long.MaxValue;
            foreach (var cursor in _cursors)
            {
                passed = Math.Min(passed, cursor.PassedOffset);
            }

            Passed = passed;
        }

        /// <summary>The logical index of the first held message after <paramref name="offset"/>.</summary>
        public long IndexAfter(long offset)
        {
            int low = Head, high = Items.Count;
            while (low < high)
            {
                var middle = low + ((high - low) / 2);
                if (Items[middle]!.Offset <= offset)
                {
                    low = middle + 1;
                }
                else
                {
                    high = middle;
                }
            }

            return Base + low;
        }

        public void RemoveHead(Entry entry)
        {
            // Messages of a stream are passed in offset order and purged in offset order, so the purged one is this stream's first.
            if (Head >= Items.Count || !ReferenceEquals(Items[Head], entry))
            {
                throw new InvalidOperationException("A message was purged before an earlier one of the same stream.");
            }

            Items[Head++] = null;
            if (Head >= CompactAfter && Head * 2 >= Items.Count)
            {
                Items.RemoveRange(0, Head);
                Base += Head;
                Head = 0;
            }
        }
    }
}
