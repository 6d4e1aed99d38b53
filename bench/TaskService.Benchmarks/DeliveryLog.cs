using System.Diagnostics;

namespace TaskService.Benchmarks;

/// <summary>
/// When each benchmark event was sent and when its <c>task-created</c> webhook arrived, as <see cref="Stopwatch"/> timestamps of
/// this process (the sender and the receiver share the clock). Indexed by the event's <c>benchId</c>; written from many threads.
/// </summary>
/// <remarks>
/// Kept in pages of <see cref="PageSize"/> events, each made when an event of it is first sent or arrives: the capacity is
/// sized before the maximum is known (room for the open loop at up to 25,000 events/s), and a soak of an hour or a day at a
/// few thousand events per second holds only the pages of the events it sends, not gigabytes for the room.
/// </remarks>
internal sealed class DeliveryLog(int capacity)
{
    public const int PageSize = 1 << 16;

    private readonly Page?[] _pages = new Page?[(int)(((long)capacity + PageSize - 1) / PageSize)];
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

    public void MarkSent(int id, long timestamp) => Volatile.Write(ref PageOf(id).Sent[id & (PageSize - 1)], timestamp);

    public long SentAt(int id) => Existing(id) is { } page ? Volatile.Read(ref page.Sent[id & (PageSize - 1)]) : 0;

    public long ArrivedAt(int id) => Existing(id) is { } page ? Volatile.Read(ref page.Arrived[id & (PageSize - 1)]) : 0;

    public void MarkArrived(int id, long timestamp)
    {
        if ((uint)id >= (uint)capacity)
        {
            Interlocked.Increment(ref _unknown);
            return;
        }

        var page = PageOf(id);
        var slot = id & (PageSize - 1);
        if (Interlocked.CompareExchange(ref page.Arrived[slot], timestamp, 0) == 0)
        {
            Interlocked.Increment(ref _delivered);
            Volatile.Read(ref page.Waiters[slot])?.TrySetResult();
        }
        else
        {
            Interlocked.Increment(ref _duplicates);
        }
    }

    /// <summary>Completes when event <paramref name="id"/> has arrived. Call it before sending the event.</summary>
    public Task ArrivalAsync(int id)
    {
        var page = PageOf(id);
        var slot = id & (PageSize - 1);
        var waiter = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        Volatile.Write(ref page.Waiters[slot], waiter);
        if (Volatile.Read(ref page.Arrived[slot]) != 0)
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
            if (ArrivedAt(i) != 0)
            {
                delivered++;
            }
        }

        return delivered;
    }

    private Page? Existing(int id) => (uint)id < (uint)capacity ? Volatile.Read(ref _pages[id / PageSize]) : null;

    /// <summary>The page of event <paramref name="id"/>, made by the first thread that needs it (the others take that one).</summary>
    private Page PageOf(int id)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual((uint)id, (uint)capacity, nameof(id));
        ref var slot = ref _pages[id / PageSize];
        return Volatile.Read(ref slot) ?? Interlocked.CompareExchange(ref slot, new Page(), null) ?? slot!;
    }

    private sealed class Page
    {
        public readonly long[] Sent = new long[PageSize];
        public readonly long[] Arrived = new long[PageSize];
        public readonly TaskCompletionSource?[] Waiters = new TaskCompletionSource?[PageSize];
    }
}
