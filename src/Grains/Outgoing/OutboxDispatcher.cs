using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Storage;

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
    ILogger<OutboxDispatcher> logger) : BackgroundService
{
    private readonly IOutgoingConnector[] _connectors = connectors.ToArray();
    private readonly SemaphoreSlim _signal = new(0, 1);

    /// <summary>Wakes the dispatcher at once: something was just written to the outbox.</summary>
    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try
            {
                _signal.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled.
            }
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
        await WaitForStartAsync(stoppingToken);
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
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>Dispatches one batch; returns true when the batch was full, so more may be waiting.</summary>
    internal async Task<bool> DispatchBatchAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var entries = await store.ClaimOutboxAsync(settings.BatchSize, settings.Lease, cancellationToken);
        if (entries.Count == 0)
        {
            return false;
        }

        // The whole batch goes to each connector at once, in outbox order (one call and one queue write per webhook
        // subscription). A connector that fails leaves the batch claimed; it is handed over again when the claim runs out.
        var events = entries.Select(e => e.Event).ToArray();
        try
        {
            foreach (var connector in _connectors)
            {
                await connector.PublishManyAsync(events, cancellationToken);
            }
        }
        catch (Exception exception) when (exception is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            LogBatchHandOverFailed(entries.Count, settings.Lease, exception);
            return false;
        }

        await store.MarkDispatchedAsync([.. entries.Select(e => e.Sequence)], cancellationToken);
        return entries.Count == settings.BatchSize;
    }

    private async Task WaitForStartAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        await started.Task;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "The outbox dispatcher is off in this silo (TaskService:Outbox:Enabled is false); other silos deliver outgoing events")]
    private partial void LogDisabled();

    [LoggerMessage(Level = LogLevel.Error, Message = "Outbox read failed; retrying at the next poll")]
    private partial void LogBatchFailed(Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Count} outgoing event(s) could not be handed to every connector; they are retried when their claim ends in {Lease}")]
    private partial void LogBatchHandOverFailed(int count, TimeSpan lease, Exception exception);
}
