using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Queries;
using TaskService.Storage;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Events;

/// <summary>
/// Runs in every silo. As soon as the silo is ready it routes every event recorded before its start and not routed (a restart
/// lost what the old process held in memory), wakes every webhook subscription with pending deliveries, so they resume at
/// once, and wakes workflow instances whose commands are due. Then, periodically, it routes events and wakes instances that
/// waited longer than the grace period (another silo went down), wakes subscriptions whose deliveries are overdue, and deletes
/// delivery log rows older than <see cref="WebhookOptions.DeliveryLogRetention"/>. The router starts workflows idempotently,
/// so an event routed twice starts each workflow once.
/// </summary>
public sealed partial class UnroutedEventSweeper(
    ITaskServiceStore store,
    IGrainFactory grains,
    RoutingBacklog backlog,
    IOptions<EventRoutingOptions> options,
    IOptions<WebhookOptions> webhookOptions,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<UnroutedEventSweeper> logger) : BackgroundService
{
    private const int MaxSubscriptionsWoken = 10_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!await HostedServiceWaits.WaitForStartAsync(lifetime, stoppingToken))
        {
            return;
        }

        try
        {
            await RecoverAtStartAsync(time.GetUtcNow(), stoppingToken);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            LogSweepFailed(exception);
        }

        using var timer = new PeriodicTimer(options.Value.SweepInterval, time);
        while (await WaitAsync(timer, stoppingToken))
        {
            try
            {
                if (!backlog.IsFull)
                {
                    await SweepAsync(stoppingToken);
                }

                await WakeDueInstancesAsync(time.GetUtcNow() - options.Value.RoutingGracePeriod, stoppingToken);
                await SweepDeliveriesAsync(stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                LogSweepFailed(exception);
            }
        }
    }

    /// <summary>
    /// Routes every unrouted event recorded before <paramref name="startedAt"/>, wakes the webhook subscriptions, and wakes the
    /// workflow instances whose commands are due.
    /// </summary>
    internal async Task RecoverAtStartAsync(DateTimeOffset startedAt, CancellationToken cancellationToken)
    {
        await WakeDueInstancesAsync(startedAt, cancellationToken);
        await WakeSubscriptionsAsync(DateTimeOffset.MaxValue, cancellationToken);

        // One batch as large as the backlog may be; anything beyond it is found by the periodic sweeps.
        await SweepAsync(startedAt, Math.Max(options.Value.SweepBatchSize, options.Value.MaxBacklog), cancellationToken);
    }

    internal Task<int> SweepAsync(CancellationToken cancellationToken) =>
        SweepAsync(time.GetUtcNow() - options.Value.RoutingGracePeriod, options.Value.SweepBatchSize, cancellationToken);

    private async Task<int> SweepAsync(DateTimeOffset recordedBefore, int max, CancellationToken cancellationToken)
    {
        var events = await store.GetUnroutedEventsAsync(recordedBefore, max, cancellationToken);
        foreach (var record in events)
        {
            LogRerouting(record.Key, record.Id);

            // Recorded already: the router takes it whatever its backlog, as it would have before the loss.
            await grains.GetGrain<IEventRouterGrain>(record.Key).AcceptAsync(record, force: true);
        }

        return events.Count;
    }

    /// <summary>
    /// Activates workflow instances whose commands were due before <paramref name="dueBefore"/>: an activation schedules its due
    /// commands; an instance that is active already ignores the call.
    /// </summary>
    private async Task WakeDueInstancesAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken)
    {
        var due = await store.GetDueWorkflowInstancesAsync(dueBefore, options.Value.SweepBatchSize, cancellationToken);
        foreach (var id in due)
        {
            LogWakingInstance(id);
        }

        await Task.WhenAll(due.Select(id => grains.GetGrain<IWorkflowInstanceGrain>(id).GetAsync()));
    }

    /// <summary>
    /// Wakes subscriptions whose deliveries were due a sweep interval ago and are still pending (the silo that held them went
    /// down, or a hand-over was lost), and deletes delivered and failed deliveries past their retention.
    /// </summary>
    internal async Task SweepDeliveriesAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await WakeSubscriptionsAsync(now - options.Value.SweepInterval, cancellationToken);
        var purged = await store.PurgeDeliveryLogAsync(now - webhookOptions.Value.DeliveryLogRetention, options.Value.SweepBatchSize, cancellationToken);
        if (purged > 0)
        {
            LogPurged(purged, webhookOptions.Value.DeliveryLogRetention);
        }
    }

    private async Task WakeSubscriptionsAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken)
    {
        var subscriptions = await store.GetSubscriptionsWithDueDeliveriesAsync(dueBefore, MaxSubscriptionsWoken, cancellationToken);
        await Task.WhenAll(subscriptions.Select(id => grains.GetGrain<IWebhookSubscriptionGrain>(id).ResumeAsync()));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Workflow instance {InstanceId} has overdue commands; waking it")]
    private partial void LogWakingInstance(string instanceId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} webhook deliveries older than the delivery log retention ({Retention})")]
    private partial void LogPurged(int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for unrouted events failed; trying again at the next sweep")]
    private partial void LogSweepFailed(Exception exception);
}
