using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.Options;

namespace TaskService.Events;

/// <summary>
/// The work this silo holds for accepted events: events its routers hold (recorded, not yet routed) and outgoing events its
/// webhook subscriptions have queued and not yet delivered. Over <see cref="EventRoutingOptions.MaxBacklog"/> new events are
/// refused or, from a stream, wait; routing or delivering frees room. Counting deliveries too keeps the whole path bounded when
/// receivers (or the deliveries' share of the machine) are slower than ingestion.
/// </summary>
public sealed class RoutingBacklog
{
    private readonly int _max;
    private readonly ConcurrentDictionary<string, StrongBox<int>> _deliveryQueues = new(StringComparer.Ordinal);
    private int _count;
    private int _queuedDeliveries;
    private TaskCompletionSource _room = NewSignal();

    public RoutingBacklog(IOptions<EventRoutingOptions> options)
    {
        _max = options.Value.MaxBacklog;
        EventRoutingInstruments.ObserveBacklog(() => Count);
    }

    /// <summary>Events held by routers plus deliveries queued by webhook subscriptions in this silo.</summary>
    public int Count => Volatile.Read(ref _count) + Volatile.Read(ref _queuedDeliveries);

    /// <summary>Events held by this silo's routers.</summary>
    public int Routing => Volatile.Read(ref _count);

    public int Max => _max;

    public bool IsFull => Count >= _max;

    /// <summary>Takes room for one event unless the backlog is full.</summary>
    public bool TryAdd()
    {
        if (Interlocked.Increment(ref _count) + Volatile.Read(ref _queuedDeliveries) <= _max)
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
        Interlocked.Decrement(ref _count);
        SignalIfRoom();
    }

    /// <summary>
    /// Notes how many deliveries a webhook subscription of this silo has queued (0 when it has none or leaves this silo). Each
    /// subscription reports from its own activation, one report at a time, so a report replaces its previous one. A queue
    /// that empties and fills again takes no lock: each subscription keeps its slot while its activation lives here.
    /// </summary>
    public void ReportDeliveryQueue(string subscriptionId, int queued)
    {
        var slot = _deliveryQueues.GetOrAdd(subscriptionId, static _ => new StrongBox<int>());
        var previous = Interlocked.Exchange(ref slot.Value, queued);
        if (queued == previous)
        {
            return;
        }

        Interlocked.Add(ref _queuedDeliveries, queued - previous);
        SignalIfRoom();
    }

    /// <summary>A subscription's activation leaves this silo: its deliveries are no longer queued here.</summary>
    public void ForgetDeliveryQueue(string subscriptionId)
    {
        if (_deliveryQueues.TryRemove(subscriptionId, out var slot))
        {
            Interlocked.Add(ref _queuedDeliveries, -Interlocked.Exchange(ref slot.Value, 0));
            SignalIfRoom();
        }
    }

    private void SignalIfRoom()
    {
        if (Count < _max)
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
