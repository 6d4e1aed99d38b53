using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Outgoing;
using TaskService.Queries;
using TaskService.Storage;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Events;

/// <summary>
/// Runs in every silo. As soon as the silo is ready it routes every event recorded before its start and not routed (a restart
/// lost what the old process held in memory), wakes every webhook subscription with pending deliveries, so they resume at
/// once, and wakes workflow instances whose commands are due. When another silo leaves the cluster, one remaining silo does the
/// same at once for what that silo held. Then, periodically, it routes events and wakes instances that
/// waited longer than the grace period (another silo went down), wakes subscriptions whose deliveries are overdue, and deletes
/// delivery log rows older than <see cref="WebhookOptions.DeliveryLogRetention"/> and dispatched outbox entries older than
/// <see cref="OutboxOptions.Retention"/>. The router starts workflows idempotently,
/// so an event routed twice starts each workflow once.
/// </summary>
public sealed partial class UnroutedEventSweeper(
    ITaskServiceStore store,
    IGrainFactory grains,
    RoutingBacklog backlog,
    IOptions<EventRoutingOptions> options,
    IOptions<WebhookOptions> webhookOptions,
    IOptions<OutboxOptions> outboxOptions,
    TimeProvider time,
    IHostApplicationLifetime lifetime,
    ILogger<UnroutedEventSweeper> logger,
    IClusterMembershipService? membership = null,
    ILocalSiloDetails? localSilo = null) : BackgroundService
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

        var departures = WatchDeparturesAsync(stoppingToken);
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

        await departures;
    }

    /// <summary>
    /// When a silo of the cluster leaves (stopped, or declared dead after a crash), what its routers and workflow instances held
    /// is taken over at once instead of after the grace period: one of the remaining silos (the active one with the lowest
    /// address, so that not every silo does the same work) routes every unrouted event recorded until now and wakes every
    /// instance with commands due and every webhook subscription with deliveries due. Events that other silos' routers hold at that moment are routed twice, which starts nothing
    /// twice.
    /// </summary>
    private async Task WatchDeparturesAsync(CancellationToken stoppingToken)
    {
        if (membership is null || localSilo is null)
        {
            return;
        }

        HashSet<SiloAddress>? gone = null;
        try
        {
            await foreach (var snapshot in membership.MembershipUpdates.WithCancellation(stoppingToken))
            {
                var dead = snapshot.Members.Values.Where(m => m.Status == SiloStatus.Dead).Select(m => m.SiloAddress).ToList();
                if (gone is null)
                {
                    gone = [.. dead];
                    continue;
                }

                var departed = dead.Where(gone.Add).ToList();
                var taker = snapshot.Members.Values
                    .Where(m => m.Status == SiloStatus.Active)
                    .Select(m => m.SiloAddress)
                    .OrderBy(a => a.ToParsableString(), StringComparer.Ordinal)
                    .FirstOrDefault();
                if (departed.Count == 0 || !localSilo.SiloAddress.Equals(taker))
                {
                    continue;
                }

                LogTakingOver(string.Join(", ", departed));
                try
                {
                    var now = time.GetUtcNow();
                    await WakeDueInstancesAsync(now, stoppingToken);
                    await WakeSubscriptionsAsync(now, stoppingToken);
                    await SweepAsync(now, stoppingToken);
                }
                catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
                {
                    LogSweepFailed(exception);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
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
        await SweepAsync(startedAt, cancellationToken);
    }

    internal Task<int> SweepAsync(CancellationToken cancellationToken) =>
        SweepAsync(time.GetUtcNow() - options.Value.RoutingGracePeriod, cancellationToken);

    /// <summary>
    /// Routes every unrouted event recorded before <paramref name="recordedBefore"/>, a page at a time: the first page at once,
    /// each next one when the routing backlog has room again, so that however many events a stopped silo left, they are all
    /// routed now (not one page per sweep) and the backlog stays bounded meanwhile.
    /// </summary>
    internal async Task<int> SweepAsync(DateTimeOffset recordedBefore, CancellationToken cancellationToken)
    {
        var page = Math.Max(options.Value.SweepBatchSize, 1);
        var routed = 0;
        EventRecord? after = null;
        while (true)
        {
            if (routed > 0)
            {
                while (!await backlog.WaitForRoomAsync(TimeSpan.FromSeconds(1), cancellationToken))
                {
                }
            }

            var events = await store.GetUnroutedEventsAsync(recordedBefore, page, after, cancellationToken);
            foreach (var record in events)
            {
                LogRerouting(record.Key, record.Id);

                // Recorded already: the router takes it whatever its backlog, as it would have before the loss.
                await grains.GetGrain<IEventRouterGrain>(record.Key).AcceptAsync(record, force: true);
            }

            routed += events.Count;
            if (events.Count > 0)
            {
                LogReroutedPage(events.Count, routed, recordedBefore);
            }

            if (events.Count < page)
            {
                return routed;
            }

            after = events[^1];
        }
    }

    /// <summary>
    /// Activates workflow instances whose commands were due before <paramref name="dueBefore"/>, a page at a time until none is
    /// left: an activation schedules its due commands; an instance that is active already ignores the call. Returns how many
    /// were woken.
    /// </summary>
    internal async Task<int> WakeDueInstancesAsync(DateTimeOffset dueBefore, CancellationToken cancellationToken)
    {
        var page = Math.Max(options.Value.SweepBatchSize, 1);
        var woken = 0;
        DueWorkflowInstance? after = null;
        while (true)
        {
            var due = await store.GetDueWorkflowInstancesAsync(dueBefore, page, after, cancellationToken);
            foreach (var instance in due)
            {
                LogWakingInstance(instance.Id);
            }

            await Task.WhenAll(due.Select(instance => grains.GetGrain<IWorkflowInstanceGrain>(instance.Id).GetAsync()));
            woken += due.Count;
            if (due.Count > 0)
            {
                LogWokenPage(due.Count, woken, dueBefore);
            }

            if (due.Count < page)
            {
                return woken;
            }

            after = due[^1];
        }
    }

    /// <summary>
    /// Wakes subscriptions whose deliveries were due a sweep interval ago and are still pending (the silo that held them went
    /// down, or a hand-over was lost), and deletes delivered and failed deliveries and dispatched outbox entries past their
    /// retention.
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

        var outboxRetention = outboxOptions.Value.Retention;
        var forgotten = await store.PurgeOutboxAsync(now - outboxRetention, options.Value.SweepBatchSize, cancellationToken);
        if (forgotten > 0)
        {
            LogPurgedOutbox(forgotten, outboxRetention);
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

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} with key {EventKey} was recorded but not routed; routing it again")]
    private partial void LogRerouting(string eventKey, string eventId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing again {Count} event(s) recorded before {RecordedBefore:O} and not routed ({Total} so far in this sweep)")]
    private partial void LogReroutedPage(int count, int total, DateTimeOffset recordedBefore);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Silo(s) {Silos} left the cluster; routing the unrouted events and waking the instances and webhook subscriptions with due work they may have held")]
    private partial void LogTakingOver(string silos);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Workflow instance {InstanceId} has overdue commands; waking it")]
    private partial void LogWakingInstance(string instanceId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Woke {Count} workflow instance(s) with commands due before {DueBefore:O} ({Total} so far in this sweep)")]
    private partial void LogWokenPage(int count, int total, DateTimeOffset dueBefore);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} webhook deliveries older than the delivery log retention ({Retention})")]
    private partial void LogPurged(int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Deleted {Count} dispatched outbox entries older than the outbox retention ({Retention})")]
    private partial void LogPurgedOutbox(int count, TimeSpan retention);

    [LoggerMessage(Level = LogLevel.Error, Message = "Looking for unrouted events failed; trying again at the next sweep")]
    private partial void LogSweepFailed(Exception exception);
}
