using Microsoft.Extensions.Options;

namespace TaskService.Events;

/// <summary>
/// The events this silo's routers hold: accepted (recorded) and not yet routed. Over <see cref="EventRoutingOptions.MaxBacklog"/>
/// new events are refused or, from a stream, wait; routing one frees room.
/// </summary>
public sealed class RoutingBacklog
{
    private readonly int _max;
    private int _count;
    private TaskCompletionSource _room = NewSignal();

    public RoutingBacklog(IOptions<EventRoutingOptions> options)
    {
        _max = options.Value.MaxBacklog;
        EventRoutingInstruments.ObserveBacklog(() => Volatile.Read(ref _count));
    }

    public int Count => Volatile.Read(ref _count);

    public int Max => _max;

    public bool IsFull => Count >= _max;

    /// <summary>Takes room for one event unless the backlog is full.</summary>
    public bool TryAdd()
    {
        if (Interlocked.Increment(ref _count) <= _max)
        {
            return true;
        }

        Remove();
        return false;
    }

    /// <summary>Takes room for one event even when the backlog is full (the event is recorded and must be routed).</summary>
    public void Add() => Interlocked.Increment(ref _count);

    public void Remove()
    {
        if (Interlocked.Decrement(ref _count) < _max)
        {
            Volatile.Read(ref _room).TrySetResult();
        }
    }

    /// <summary>Waits until the backlog has room, or <paramref name="timeout"/> passed; true when there is room.</summary>
    public async Task<bool> WaitForRoomAsync(TimeSpan timeout, CancellationToken cancellationToken = default)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        while (IsFull)
        {
            var room = Volatile.Read(ref _room);
            if (room.Task.IsCompleted)
            {
                Interlocked.CompareExchange(ref _room, NewSignal(), room);
                continue;
            }

            try
            {
                await room.Task.WaitAsync(deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return !IsFull;
            }
        }

        return true;
    }

    private static TaskCompletionSource NewSignal() => new(TaskCreationOptions.RunContinuationsAsynchronously);
}
