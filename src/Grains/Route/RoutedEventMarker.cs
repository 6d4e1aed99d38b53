using System.Threading.Channels;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using TaskService.Storage;

namespace TaskService.Events;

/// <summary>
/// Notes routed events in the store many at a time (group commit): one UPDATE for all events routed while the previous one ran;
/// each caller resumes once its note is committed. The note only keeps the unrouted-event sweeper away; a note lost with its
/// process makes the sweeper route the event again, which starts nothing twice.
/// </summary>
public sealed partial class RoutedEventMarker(ITaskServiceStore store, ILogger<RoutedEventMarker> logger) : BackgroundService
{
    private const int MaxBatch = 1000;

    private readonly Channel<(string EventId, TaskCompletionSource Committed)> _routed =
        Channel.CreateUnbounded<(string, TaskCompletionSource)>(new UnboundedChannelOptions { SingleReader = true });

    /// <summary>Notes the event as routed; completes once the note is committed (or failed, which is logged, never thrown).</summary>
    public Task MarkAsync(string eventId)
    {
        var committed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (!_routed.Writer.TryWrite((eventId, committed)))
        {
            committed.TrySetResult();
        }

        return committed.Task;
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var batch = new List<(string EventId, TaskCompletionSource Committed)>(MaxBatch);
        try
        {
            while (await _routed.Reader.WaitToReadAsync(stoppingToken))
            {
                await WriteAvailableAsync(batch, CancellationToken.None);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
            // Stopping: later notes complete at once (the sweeper covers them); write what arrived before the stop, then end.
            _routed.Writer.TryComplete();
            await WriteAvailableAsync(batch, CancellationToken.None);
        }
    }

    private async Task WriteAvailableAsync(List<(string EventId, TaskCompletionSource Committed)> batch, CancellationToken cancellationToken)
    {
        while (true)
        {
            batch.Clear();
            while (batch.Count < MaxBatch && _routed.Reader.TryRead(out var entry))
            {
                batch.Add(entry);
            }

            if (batch.Count == 0)
            {
                return;
            }

            try
            {
                await store.MarkEventsRoutedAsync([.. batch.Select(e => e.EventId)], cancellationToken);
            }
            catch (Exception exception) when (exception is not OperationCanceledException)
            {
                LogMarkFailed(batch.Count, exception);
            }

            foreach (var (_, committed) in batch)
            {
                committed.TrySetResult();
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Noting {Count} routed event(s) failed; the unrouted-event sweeper will route them again, starting nothing twice")]
    private partial void LogMarkFailed(int count, Exception exception);
}
