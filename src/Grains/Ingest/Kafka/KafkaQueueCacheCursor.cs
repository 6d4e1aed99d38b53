using Orleans.Streams;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// A pulling agent's position in one stream of a partition's cache. The agent moves it to the next message only after the current
/// one was delivered (or its failure handled), so moving on is what marks the current message as passed.
/// </summary>
public sealed class KafkaQueueCacheCursor : IQueueCacheCursor
{
    private readonly KafkaQueueCache.StreamEntries _stream;
    private KafkaQueueCache.Entry? _current;
    private long _nextIndex;
    private bool _disposed;

    internal KafkaQueueCacheCursor(KafkaQueueCache.StreamEntries stream, long passed)
    {
        _stream = stream;
        PassedOffset = passed;
        _nextIndex = stream.IndexAfter(passed);
    }

    /// <summary>This cursor moved past every message of its stream up to this offset.</summary>
    internal long PassedOffset { get; private set; }

    public IBatchContainer? GetCurrent(out Exception? exception)
    {
        exception = null;
        return _current?.Batch;
    }

    [Obsolete("Use MoveNextWithResult instead.")]
    public bool MoveNext() => MoveNextWithResult().Kind == QueueCacheCursorMoveResultKind.Success;

    public QueueCacheCursorMoveResult MoveNextWithResult()
    {
        if (_disposed)
        {
            return QueueCacheCursorMoveResult.NoData;
        }

        if (_current is not null)
        {
            PassedOffset = _current.Offset;
            _current = null;
            _stream.UpdatePassed();
        }

        var items = _stream.Items;
        var index = (int)Math.Max(_nextIndex - _stream.Base, _stream.Head);
        while (index < items.Count)
        {
            var entry = items[index++]!;
            if (entry.Offset > PassedOffset)
            {
                _current = entry;
                _nextIndex = _stream.Base + index;
                return QueueCacheCursorMoveResult.Success;
            }
        }

        _nextIndex = _stream.Base + index;
        return QueueCacheCursorMoveResult.NoData;
    }

    public void Refresh(StreamSequenceToken token)
    {
        // New messages are found by offset on the next move; nothing to do.
    }

    public void RecordDeliveryFailure()
    {
        // The failure handler dead-letters the message before the agent moves on; the move marks it passed.
    }

    public void Dispose()
    {
        if (!_disposed)
        {
            _disposed = true;
            _current = null;
            _stream.RemoveCursor(this);
        }
    }
}
