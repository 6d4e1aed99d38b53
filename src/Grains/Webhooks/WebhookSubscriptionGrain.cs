using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Errors;
using TaskService.Events;
using TaskService.Security;
using TaskService.Storage;

namespace TaskService.Webhooks;

/// <summary>
/// Owns one subscription and delivers its events in order, one at a time, retrying with exponential backoff and jitter.
/// Each subscription is its own grain, so a slow or failing receiver never delays another subscription.
/// </summary>
public sealed partial class WebhookSubscriptionGrain(
    [PersistentState("deliveries", WebhookSubscriptionGrain.StorageName)] IPersistentState<WebhookSubscriptionState> state,
    ITaskServiceStore store,
    ISecretProtector secrets,
    WebhookSender sender,
    Events.RoutingBacklog backlog,
    WebhookUrlPolicy urlPolicy,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookSubscriptionGrain> logger) : Grain, IWebhookSubscriptionGrain, IRemindable
{
    public const string StorageName = "webhooks";

    /// <summary>Wakes a subscription whose queue outlived its activation (a silo went down); each tick only resumes delivery.</summary>
    private const string DeliveryReminder = "deliver";

    private WebhookSubscriptionRecord? _subscription;
    private IGrainTimer? _timer;
    private readonly SemaphoreSlim _storageGate = new(1, 1);
    private IGrainReminder? _reminder;
    private bool _delivering;

    /// <summary>
    /// Deliveries made since the queue was last written. Successful deliveries are written in groups (at most
    /// <see cref="MaxUnsavedDeliveries"/>, and always when the queue runs dry): a crash in between delivers those again, which
    /// at-least-once delivery with event ids allows, and a busy queue costs one write per group instead of one per event.
    /// </summary>
    private int _unsavedDeliveries;

    private const int MaxUnsavedDeliveries = 32;

    /// <summary>The last attempt failed and the head of the queue waits for a retry.</summary>
    private bool _receiverFailing;

    /// <summary>Changes made to the queue by enqueues, and how many of them the last write covered.</summary>
    private long _changes;

    private long _written;

    private string SubscriptionId => this.GetPrimaryKeyString();

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _subscription = await store.GetSubscriptionAsync(SubscriptionId, cancellationToken);
        _reminder = await this.GetReminder(DeliveryReminder);
        if (state.State.Queue.Count > 0)
        {
            Schedule(TimeSpan.Zero);
        }

        ReportQueue();
    }

    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The queue stays stored; it is no longer this silo's work.
        backlog.ReportDeliveryQueue(SubscriptionId, 0);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Tells this silo's backlog how many deliveries wait here, so ingestion slows down when delivery falls behind. A queue held
    /// up by a failing receiver counts for nothing: that receiver must not stop events for everyone else.
    /// </summary>
    private void ReportQueue() =>
        backlog.ReportDeliveryQueue(SubscriptionId, _subscription is null || _receiverFailing ? 0 : state.State.Queue.Count);

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (state.State.Queue.Count == 0 || _subscription is null)
        {
            await UpdateReminderAsync();
        }
        else if (!_delivering)
        {
            Schedule(TimeSpan.Zero);
        }
    }

    public async Task<WebhookSubscriptionRecord> CreateAsync(string url, string key, string clientAppId)
    {
        if (_subscription is not null)
        {
            return _subscription;
        }

        if (await urlPolicy.CheckAsync(url) is { } refusal)
        {
            throw TaskServiceException.Invalid("url", refusal);
        }

        var now = time.GetUtcNow();
        var subscription = new WebhookSubscriptionRecord
        {
            Id = SubscriptionId,
            Url = url,
            Key = key,
            ClientAppId = clientAppId,
            Status = WebhookSubscriptionStatus.Active,
            CreatedOn = now,
            ModifiedOn = now,
        };
        await store.SaveSubscriptionAsync(subscription);
        _subscription = subscription;
        return subscription;
    }

    public Task<WebhookSubscriptionRecord?> GetAsync() => Task.FromResult(_subscription);

    public async Task DeleteAsync()
    {
        if (_subscription is null)
        {
            throw TaskServiceException.NotFound("webhook subscription", SubscriptionId);
        }

        await store.DeleteSubscriptionAsync(SubscriptionId);
        _subscription = null;
        ReportQueue();
        _timer?.Dispose();
        await SaveAsync(clear: true);
        DeactivateOnIdle();
    }

    public Task EnqueueAsync(OutgoingEvent outgoingEvent) => EnqueueManyAsync([outgoingEvent]);

    public async Task EnqueueManyAsync(IReadOnlyList<OutgoingEvent> outgoingEvents)
    {
        if (_subscription is not { Status: WebhookSubscriptionStatus.Active })
        {
            foreach (var skipped in outgoingEvents)
            {
                LogSkipped(SubscriptionId, skipped.Key, skipped.Id);
            }

            return;
        }

        // An event handed over again (the outbox retried) is queued once.
        var queued = state.State.Queue.Select(p => p.Event.Id).ToHashSet(StringComparer.Ordinal);
        var now = time.GetUtcNow();
        var added = 0;
        foreach (var outgoingEvent in outgoingEvents)
        {
            if (queued.Add(outgoingEvent.Id))
            {
                state.State.Queue.Add(new PendingDelivery { Event = outgoingEvent, NextAttemptAt = now });
                added++;
            }
        }

        ReportQueue();
        if (added > 0)
        {
            _changes++;
            await SaveAsync(updateReminder: false, sharedWrite: true);
        }

        if (!_delivering)
        {
            Schedule(TimeSpan.Zero);
        }

        // The first delivery is under way (the timer interleaves) while the reminder is brought in line with the queue.
        if (added > 0)
        {
            await UpdateReminderAsync();
        }
    }

    public Task<WebhookDeliveryStats> GetDeliveryStatsAsync() => Task.FromResult(new WebhookDeliveryStats
    {
        Pending = state.State.Queue.Count,
        Delivered = state.State.Delivered,
        Failed = state.State.Failed,
        LastError = state.State.LastError,
    });

    private void Schedule(TimeSpan dueTime)
    {
        _timer?.Dispose();
        _timer = this.RegisterGrainTimer(
            DeliverDueAsync,
            new GrainTimerCreationOptions(dueTime, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
    }

    private async Task DeliverDueAsync(CancellationToken cancellationToken)
    {
        if (_delivering)
        {
            return;
        }

        _delivering = true;
        try
        {
            while (state.State.Queue.Count > 0 && _subscription is { Status: WebhookSubscriptionStatus.Active } subscription)
            {
                var head = state.State.Queue[0];
                var wait = head.NextAttemptAt - time.GetUtcNow();
                if (wait > TimeSpan.Zero)
                {
                    Schedule(wait);
                    return;
                }

                await AttemptAsync(subscription, head, cancellationToken);
            }
        }
        finally
        {
            _delivering = false;
            if (_unsavedDeliveries > 0 && _subscription is not null)
            {
                await SaveAsync();
            }
        }
    }

    /// <summary>
    /// Writes the queue and brings the reminder in line with it, one caller at a time: the delivery timer interleaves with
    /// <see cref="EnqueueAsync"/>, and two writes (or reminder updates) in flight together would trip over each other's ETags.
    /// </summary>
    /// <remarks>
    /// With <paramref name="sharedWrite"/> a caller whose change was already covered by a write that began after it (another
    /// caller's) returns without writing again: concurrent enqueues share one write of the queue.
    /// </remarks>
    private async Task SaveAsync(bool clear = false, bool updateReminder = true, bool sharedWrite = false)
    {
        var change = _changes;
        await _storageGate.WaitAsync();
        try
        {
            if (sharedWrite && _written >= change)
            {
                return;
            }

            var covered = _changes;
            _unsavedDeliveries = 0;
            if (clear)
            {
                await state.ClearStateAsync();
            }
            else
            {
                await state.WriteStateAsync();
            }

            _written = covered;

            if (updateReminder)
            {
                await TryUpdateReminderCoreAsync();
            }
        }
        finally
        {
            _storageGate.Release();
        }
    }

    /// <summary>
    /// The reminder only wakes the subscription if this activation is lost; a reminder service out of reach (a silo failing over)
    /// must not stop the queued deliveries from going out now.
    /// </summary>
    private async Task TryUpdateReminderCoreAsync()
    {
        try
        {
            await UpdateReminderCoreAsync();
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogReminderFailed(SubscriptionId, exception);
        }
    }

    private async Task UpdateReminderAsync()
    {
        await _storageGate.WaitAsync();
        try
        {
            await TryUpdateReminderCoreAsync();
        }
        finally
        {
            _storageGate.Release();
        }
    }

    /// <summary>
    /// Keeps a reminder while deliveries are queued, so they go out even if this activation is lost with its silo. A busy queue
    /// keeps it between events; a restarted silo wakes every subscription at once (see <see cref="Events.UnroutedEventSweeper"/>).
    /// </summary>
    private async Task UpdateReminderCoreAsync()
    {
        var needed = state.State.Queue.Count > 0 && _subscription is not null;
        if (needed && _reminder is null)
        {
            _reminder = await this.RegisterOrUpdateReminder(DeliveryReminder, TimeSpan.FromMinutes(1), TimeSpan.FromMinutes(1));
        }
        else if (!needed && _reminder is not null)
        {
            await this.UnregisterReminder(_reminder);
            _reminder = null;
        }
    }

    private async Task AttemptAsync(WebhookSubscriptionRecord subscription, PendingDelivery delivery, CancellationToken cancellationToken)
    {
        delivery.Attempts++;
        var app = await store.GetClientAppAsync(subscription.ClientAppId, cancellationToken);
        var secret = app is null ? null : Unprotect(app.ApiSecret);
        var result = app is null
            ? new WebhookDeliveryResult(WebhookDeliveryOutcome.Retry, null, $"Client app '{subscription.ClientAppId}' that owns the subscription no longer exists.", null)
            : secret is null
                // Never sent unsigned: the attempt fails, visibly, until the key is fixed (see the client-app-secrets health check).
                ? new WebhookDeliveryResult(WebhookDeliveryOutcome.Retry, null, $"The secret of client app '{subscription.ClientAppId}' cannot be decrypted with the configured TaskService:Secrets keys, so the delivery cannot be signed.", null)
                : await sender.SendAsync(subscription.Url, WebhookSender.CreateBody(delivery.Event), secret, cancellationToken, delivery.Event.TraceParent,
                    app.PreviousSecretAt(time.GetUtcNow()) is { } previous ? Unprotect(previous) : null);

        if (_subscription is null)
        {
            // Deleted while the call was in flight: its state is gone and stays gone.
            return;
        }

        switch (result.Outcome)
        {
            case WebhookDeliveryOutcome.Delivered:
                _receiverFailing = false;
                state.State.Queue.Remove(delivery);
                state.State.Delivered++;
                LogDelivered(SubscriptionId, delivery.Event.Key, delivery.Event.Id, delivery.Attempts, result.StatusCode ?? 0);
                ReportQueue();
                if (++_unsavedDeliveries < MaxUnsavedDeliveries && state.State.Queue.Count > 0)
                {
                    return;
                }

                break;

            case WebhookDeliveryOutcome.Gone:
                LogGone(SubscriptionId, subscription.Url);
                state.State.LastError = result.Error;
                state.State.Failed += state.State.Queue.Count;
                state.State.Queue.Clear();
                _subscription = subscription with
                {
                    Status = WebhookSubscriptionStatus.Disabled,
                    StatusReason = "The receiver answered 410 Gone.",
                    ModifiedOn = time.GetUtcNow(),
                };
                await store.SaveSubscriptionAsync(_subscription, cancellationToken);
                break;

            case WebhookDeliveryOutcome.Undeliverable:
                state.State.LastError = result.Error;
                state.State.Queue.Remove(delivery);
                state.State.Failed++;
                LogUndeliverable(SubscriptionId, delivery.Event.Key, delivery.Event.Id, result.Error);
                break;

            default:
                state.State.LastError = result.Error;
                if (delivery.Attempts >= options.Value.MaxAttempts)
                {
                    state.State.Queue.Remove(delivery);
                    state.State.Failed++;
                    LogGaveUp(SubscriptionId, delivery.Event.Key, delivery.Event.Id, delivery.Attempts, result.Error);
                }
                else
                {
                    var delay = Backoff(delivery.Attempts, result.RetryAfter);
                    delivery.NextAttemptAt = time.GetUtcNow() + delay;
                    LogRetrying(SubscriptionId, delivery.Event.Key, delivery.Event.Id, delivery.Attempts, delay, result.Error);
                }

                _receiverFailing = true;
                break;
        }

        ReportQueue();
        await SaveAsync();
    }

    /// <summary>Exponential backoff with equal jitter, or the receiver's Retry-After; both capped at the configured maximum.</summary>
    private TimeSpan Backoff(int attempts, TimeSpan? retryAfter)
    {
        var settings = options.Value;
        if (retryAfter is { } asked)
        {
            return asked < settings.MaxBackoff ? asked : settings.MaxBackoff;
        }

        var exponential = settings.InitialBackoff.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var capped = Math.Min(exponential, settings.MaxBackoff.TotalMilliseconds);
        return TimeSpan.FromMilliseconds(capped / 2 + Random.Shared.NextDouble() * capped / 2);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {SubscriptionId} delivered {EventKey} event {EventId} after {Attempts} attempt(s) with status {StatusCode}")]
    private partial void LogDelivered(string subscriptionId, string eventKey, string eventId, int attempts, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SubscriptionId} failed to deliver {EventKey} event {EventId} (attempt {Attempts}); retrying in {Delay}: {Error}")]
    private partial void LogRetrying(string subscriptionId, string eventKey, string eventId, int attempts, TimeSpan delay, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {SubscriptionId} gave up on {EventKey} event {EventId} after {Attempts} attempts: {Error}. Raise TaskService:Webhooks:MaxAttempts or fix the receiver")]
    private partial void LogGaveUp(string subscriptionId, string eventKey, string eventId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {SubscriptionId} cannot deliver {EventKey} event {EventId}: {Error}. The event is dropped")]
    private partial void LogUndeliverable(string subscriptionId, string eventKey, string eventId, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {SubscriptionId}: the client app secret cannot be decrypted; the delivery is not sent unsigned")]
    private partial void LogCannotSign(string subscriptionId, Exception exception);

    private string? Unprotect(string protectedSecret)
    {
        try
        {
            return secrets.Unprotect(protectedSecret);
        }
        catch (Exception exception) when (exception is System.Security.Cryptography.CryptographicException or FormatException)
        {
            LogCannotSign(SubscriptionId, exception);
            return null;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SubscriptionId} could not update its wake-up reminder; it is tried again with the next change")]
    private partial void LogReminderFailed(string subscriptionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SubscriptionId} at {Url} answered 410 Gone; the subscription is disabled")]
    private partial void LogGone(string subscriptionId, string url);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {SubscriptionId} is not active; {EventKey} event {EventId} not queued")]
    private partial void LogSkipped(string subscriptionId, string eventKey, string eventId);
}
