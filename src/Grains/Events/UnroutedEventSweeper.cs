using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Runtime;
using TaskService.Storage;

namespace TaskService.Events;

/// <summary>
/// Runs in every silo: finds events that were recorded but whose workflows were not started within the grace period (the silo
/// that took them went down, or its in-memory stream queue was lost) and puts them on the event stream again. The router
/// starts workflows idempotently, so an event routed twice starts each workflow once.
/// </summary>
public sealed partial class UnroutedEventSweeper(
    ITaskServiceStore store,
    IClusterClient cluster,
    IOptions<EventRoutingOptions> options,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<UnroutedEventSweeper> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource();
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task;
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                await SweepAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(exception);
            }
        }
    }

    internal async Task<int> SweepAsync(CancellationToken cancellationToken)
    {
        var settings = options.Value;
        var events = await store.GetUnroutedEventsAsync(time.GetUtcNow() - settings.RoutingGracePeriod, settings.SweepBatchSize, cancellationToken);
        var provider = cluster.GetStreamProvider(StreamNames.Provider);
        foreach (var record in events)
        {
            LogRerouting(record.Key, record.Id);
            await provider.GetStream<EventRecord>(StreamId.Create(StreamNames.IncomingEvents, record.Key)).OnNextAsync(record);
        }

        return events.Count;
    }

    private static async Task<bool> WaitAsync(PeriodicTimer timer, CancellationToken stoppingToken)
    {
        try
        {
            return await timer.WaitForNextTickAsync(stoppingToken);
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} with key {EventKey} was recorded but not routed; routing it again")]
    private partial void LogRerouting(string eventKey, string eventId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for unrouted events failed; trying again at the next sweep")]
    private partial void LogSweepFailed(Exception exception);
}
