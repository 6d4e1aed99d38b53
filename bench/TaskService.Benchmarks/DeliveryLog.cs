using System.Diagnostics;

namespace TaskService.Benchmarks;

/// <summary>
/// When each benchmark event was sent and when its <c>task-created</c> webhook arrived, as <see cref="Stopwatch"/> timestamps of
/// this process (the sender and the receiver share the clock). Indexed by the event's <c>benchId</c>; written from many threads.
/// </summary>
internal sealed class DeliveryLog(int capacity)
{
    private readonly long[] _sent = new long[capacity];
    private readonly long[] _arrived = new long[capacity];
    private readonly TaskCompletionSource?[] _waiters = new TaskCompletionSource?[capacity];
    private int _delivered;
    private int _duplicates;
    private int _unknown;
    private int _badSignatures;

    public int Capacity => capacity;

    public int Delivered => Volatile.Read(ref _delivered);

    /// <summary>Deliveries of an event that had arrived already (webhooks are at-least-once).</summary>
    public int Duplicates => Volatile.Read(ref _duplicates);

    /// <summary>task-created deliveries that named no event of this run.</summary>
    public int Unknown => Volatile.Read(ref _unknown);

    public int BadSignatures => Volatile.Read(ref _badSignatures);

    public void MarkSent(int id, long timestamp) => Volatile.Write(ref _sent[id], timestamp);

    public long SentAt(int id) => Volatile.Read(ref _sent[id]);

    public long ArrivedAt(int id) => Volatile.Read(ref _arrived[id]);

    public void MarkArrived(int id, long timestamp)
    {
        if ((uint)id >= (uint)capacity)
        {
            Interlocked.Increment(ref _unknown);
            return;
        }

        if (Interlocked.CompareExchange(ref _arrived[id], timestamp, 0) == 0)
        {
            Interlocked.Increment(ref _delivered);
            Volatile.Read(ref _waiters[id])?.TrySetResult();
        }
        else
        {
            Interlocked.Increment(ref _duplicates);
        }
    }

    /// <summary>Completes when event <paramref name="id"/> has arrived. Call it before sending the event.</summary>
    public Task ArrivalAsync(int id)
    {
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref _waiters[id], waiter);
        if (Volatile.Read(ref _arrived[id]) != 0)
        {
            waiter.TrySetResult();
        }

        return waiter.Task;
    }

    public void MarkUnknown() => Interlocked.Increment(ref _unknown);

    public void MarkBadSignature() => Interlocked.Increment(ref _badSignatures);

    /// <summary>How many of the events <paramref name="start"/> .. start+count-1 have arrived.</summary>
    public int DeliveredIn(int start, int count)
    {
        var delivered = 0;
        for (var i = start; i < start + count; i++)
        {
            if (Volatile.Read(ref _arrived[i]) != 0)
            {
                delivered++;
            }
        }

        return delivered;
    }
}
