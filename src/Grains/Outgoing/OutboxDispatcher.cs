using System.Collections.Concurrent;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Events;
using TaskService.Storage;
using TaskService.Webhooks;

namespace TaskService.Outgoing;

/// <summary>
/// Runs in every silo: claims outbox entries in the order they were written, hands them to every outgoing connector as one
/// batch, and marks them dispatched. A batch whose hand-over fails stays in the outbox and is tried again when its claim runs out, so every
/// outgoing event reaches every connector at least once, whatever crashes in between.
/// </summary>
public sealed partial class OutboxDispatcher(
    ITaskServiceStore store,
    IEnumerable<IOutgoingConnector> connectors,
    IOptions<OutboxOptions> options,
    IHostApplicationLifetime lifetime,
    ILogger<OutboxDispatcher> logger,
    TimeProvider? time = null) : BackgroundService
{
    private readonly IOutgoingConnector[] _connectors = connectors.ToArray();

    /// <summary>The webhook connector, when this silo runs it: it builds the delivery rows written with a claimed entry.</summary>
    private readonly WebhookConnector? _webhooks = connectors.OfType<WebhookConnector>().FirstOrDefault();
    /// <summary>Wakes the loop. Unbounded, so racing wake-ups never throw; <see cref="_woken"/> keeps them to about one.</summary>
    private readonly SemaphoreSlim _signal = new(0);

    /// <summary>1 while a wake-up is pending: later ones add nothing until the loop has taken it.</summary>
    private int _woken;
    private readonly ConcurrentQueue<OutboxEntry> _pushed = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;

    /// <summary>1 when the outbox must be read (claimed) at the next pass: an entry was written unclaimed, or the last read was full.</summary>
    private int _claimWanted = 1;

    /// <summary>When the outbox was last read; it is read at least once per poll interval, also while pushed entries keep coming.</summary>
    private long _lastClaim;

    /// <summary>Whether this silo dispatches the outbox (<see cref="OutboxOptions.Enabled"/>).</summary>
    public bool Enabled => options.Value.Enabled;

    /// <summary>How long a claim keeps other dispatchers off an entry.</summary>
    public TimeSpan Lease => options.Value.Lease;

    /// <summary>
    /// How a write about to be made appends <paramref name="events"/> to the outbox. When this silo dispatches, they are written
    /// claimed for it, with the webhook delivery rows of the active subscriptions of their keys (read from the store's cache),
    /// so the transaction that writes an event also queues its deliveries and the webhook connector only hands them over
    /// (and when it is the only connector, they are written dispatched); otherwise they are written unclaimed, for the
    /// dispatcher of another silo. Hand the write's result to <see cref="Written"/>.
    /// </summary>
    public async ValueTask<OutboxWrite> PrepareAsync(IReadOnlyList<OutgoingEvent> events, CancellationToken cancellationToken = default)
    {
        if (events.Count == 0)
        {
            return OutboxWrite.None;
        }

        if (!Enabled)
        {
            return new OutboxWrite(events, null, null);
        }

        // When webhooks are the only connector, the delivery rows written with the events are their whole hand-over: they
        // are written dispatched, and the rows are delivered (or found by the delivery sweep) whatever happens to this silo.
        var deliveries = _webhooks is null ? null : await _webhooks.DeliveriesOfAsync(events, cancellationToken);
        return new OutboxWrite(events, Lease, deliveries) { Dispatched = deliveries is not null && _connectors.Length == 1 };
    }

    /// <summary>
    /// After the write <paramref name="write"/> describes committed: takes the entries it added claimed at once (<see cref="Push"/>),
    /// or, when it added none that way, has the outbox read.
    /// </summary>
    public void Written(OutboxWrite write, IReadOnlyList<OutboxEntry> claimed)
    {
        if (claimed.Count > 0)
        {
            Push(claimed);
        }
        else if (write.Events.Count > 0)
        {
            Notify();
        }
    }

    /// <summary>
    /// Takes entries this silo just committed already claimed (see <see cref="ITaskServiceStore.AppendClaimedOutboxAsync"/>) and
    /// hands them over at once: no claim round trip, no poll. If this silo goes down first, their claim runs out and any
    /// silo's dispatcher takes them.
    /// </summary>
    public void Push(IReadOnlyList<OutboxEntry> entries)
    {
        foreach (var entry in entries)
        {
            _pushed.Enqueue(entry);
        }

        Wake();
    }

    /// <summary>Wakes the dispatcher at once to read the outbox: something was just written to it unclaimed.</summary>
    public void Notify()
    {
        Volatile.Write(ref _claimWanted, 1);
        Wake();
    }

    private void Wake()
    {
        if (Interlocked.Exchange(ref _woken, 1) == 0)
        {
            _signal.Release();
        }
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.Enabled)
        {
            LogDisabled();
            return;
        }

        // Connectors call grains, which answer once the silo has started.
        if (!await Common.HostedServiceWaits.WaitForStartAsync(lifetime, stoppingToken))
        {
            return;
        }
        while (!stoppingToken.IsCancellationRequested)
        {
            bool full;
            try
            {
                full = await DispatchBatchAsync(stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                LogBatchFailed(exception);
                full = false;
            }

            if (!full)
            {
                try
                {
                    await _signal.WaitAsync(options.Value.PollInterval, stoppingToken);
                    Volatile.Write(ref _woken, 0);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>
    /// Dispatches one batch: pushed entries first; else, when asked to or once per poll interval, entries read from the outbox.
    /// Returns true when more may be waiting.
    /// </summary>
    internal async Task<bool> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var pushed = new List<OutboxEntry>();
        while (pushed.Count < settings.BatchSize && _pushed.TryDequeue(out var entry))
        {
            pushed.Add(entry);
        }

        if (pushed.Count > 0)
        {
            await HandOverAsync(pushed, cancellationToken);
            return true;
        }

        // Pushed entries need no read. The outbox is read when an entry was written unclaimed, after a full read, and at least
        // once per poll interval, for entries whose claim ran out (a failed hand-over, a silo that went down).
        if (Interlocked.Exchange(ref _claimWanted, 0) == 0 && _time.GetElapsedTime(Volatile.Read(ref _lastClaim)) < settings.PollInterval)
        {
            return false;
        }

        Volatile.Write(ref _lastClaim, _time.GetTimestamp());
        var entries = await store.ClaimOutboxAsync(settings.BatchSize, settings.Lease, cancellationToken);
        if (entries.Count == 0)
        {
            return false;
        }

        var more = await HandOverAsync(entries, cancellationToken) && entries.Count == settings.BatchSize;
        if (more)
        {
            Volatile.Write(ref _claimWanted, 1);
        }

        return more;
    }

    /// <summary>Hands claimed entries to every connector and marks them dispatched; false when a connector failed.</summary>
    private async Task<bool> HandOverAsync(IReadOnlyList<OutboxEntry> entries, CancellationToken cancellationToken)
    {
        var settings = options.Value;

        // The whole batch goes to each connector at once, in outbox order (one call and one queue write per webhook
        // subscription). A connector that fails leaves the batch claimed; it is handed over again when the claim runs out.
        try
        {
            foreach (var connector in _connectors)
            {
                await connector.PublishEntriesAsync(entries, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogBatchHandOverFailed(entries.Count, settings.Lease, exception);
            return false;
        }

        // Entries written dispatched (their delivery rows were all their hand-over) need no mark.
        long[] toMark = [.. entries.Where(e => !e.Dispatched).Select(e => e.Sequence)];
        if (toMark.Length > 0)
        {
            await store.MarkDispatchedAsync(toMark, cancellationToken);
        }

        return true;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox dispatcher is off in this silo (TaskService:Outbox:Enabled is false); other silos deliver outgoing events")]
    private partial void LogDisabled();

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox read failed; retrying at the next poll")]
    private partial void LogBatchFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} outgoing event(s) could not be handed to every connector; they are retried when their claim ends in {Lease}")]
    private partial void LogBatchHandOverFailed(int count, TimeSpan lease, Exception exception);
}
