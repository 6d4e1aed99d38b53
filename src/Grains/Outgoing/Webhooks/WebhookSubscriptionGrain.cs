using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Events;
using TaskService.Outgoing;
using TaskService.Security;
using TaskService.Storage;

namespace TaskService.Webhooks;

/// <summary>
/// Owns one subscription and delivers its events, retrying with exponential backoff and jitter. The events about one task go
/// one at a time in the order they were made; events about different tasks go up to <see cref="WebhookOptions.MaxInFlight"/>
/// at once. Each subscription is its own grain, so a slow or failing receiver never delays another subscription.
/// </summary>
/// <remarks>
/// The deliveries are rows of the delivery log in the store, appended by whoever hands events over (the webhook connector
/// appends a whole outbox batch for every subscription in one write); this grain keeps no state of its own. It reads its
/// pending rows when it activates (a page at a time, in sequence order), takes new rows from the connector's call, and
/// records outcomes in the background, many in one write: delivering never waits for the database unless
/// <see cref="MaxUnsavedUpdates"/> outcomes are waiting to be written. A crash before an outcome is written delivers that
/// event again, which at-least-once delivery with event ids allows. Nothing needs an Orleans reminder: pending rows whose
/// attempt is due are found by the store's sweep (<see cref="UnroutedEventSweeper"/>), which wakes their subscriptions.
/// </remarks>
public sealed partial class WebhookSubscriptionGrain(
    [PersistentState("deliveries", WebhookSubscriptionGrain.StorageName)] IPersistentState<WebhookSubscriptionState> legacyQueue,
    ITaskServiceStore store,
    ISecretProtector secrets,
    WebhookSender sender,
    RoutingBacklog backlog,
    WebhookUrlPolicy urlPolicy,
    IOptions<WebhookOptions> options,
    TimeProvider time,
    ILogger<WebhookSubscriptionGrain> logger) : Grain, IWebhookSubscriptionGrain, IRemindable
{
    public const string StorageName = "webhooks";

    /// <summary>The reminder earlier versions kept while their queue was not empty; a tick now only removes it.</summary>
    private const string LegacyReminder = "deliver";

    /// <summary>Pending rows read from the store at a time.</summary>
    private const int PageSize = 1000;

    /// <summary>Outcomes that may wait to be written before delivering waits for the write.</summary>
    private const int MaxUnsavedUpdates = 256;

    /// <summary>Ids of finished deliveries remembered, so that a late hand-over of a row already delivered is not sent again.</summary>
    private const int MaxRememberedIds = 10_000;

    private static readonly TimeSpan WriteRetryDelay = TimeSpan.FromSeconds(1);

    private WebhookSubscriptionRecord? _subscription;
    private IGrainTimer? _timer;

    /// <summary>When the timer is set to pump next; null when no timer is set.</summary>
    private DateTimeOffset? _timerDue;
    private bool _deactivating;

    /// <summary>Attempts under way; each one's completion pumps the queue again.</summary>
    private int _inFlight;

    /// <summary>The order keys one pass of <see cref="Pump"/> has met, kept to be reused by the next.</summary>
    private readonly HashSet<string> _orderKeysSeen = new(StringComparer.Ordinal);

    /// <summary><see cref="Pump"/> is running; a call made meanwhile (an attempt that finished at once) asks it to pass again.</summary>
    private bool _pumping;

    private bool _pumpAgain;

    /// <summary>A page of pending rows is being read from the store.</summary>
    private bool _loading;

    /// <summary>
    /// The deliveries this activation works off, in sequence order, those in flight included. Of the rows about one task
    /// (<see cref="OutgoingEventOrder.KeyOf"/>), only the first is attempted.
    /// </summary>
    private readonly List<Pending> _queue = [];

    /// <summary>Ids of the deliveries in <see cref="_queue"/> and of finished ones (see <see cref="MaxRememberedIds"/>).</summary>
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    private readonly Queue<string> _finished = new();

    /// <summary>
    /// The store holds pending rows beyond the last page read: new rows are not taken from hand-overs then (they would jump the
    /// queue); they are read with the next page.
    /// </summary>
    private bool _storeHasMore;

    /// <summary>No new attempt starts before this (the receiver just failed).</summary>
    private DateTimeOffset _restUntil;

    /// <summary>Rests in a row without a delivery in between; each one is longer.</summary>
    private int _rests;

    /// <summary>
    /// Failed attempts and deliveries given up since the receiver last took one. Only the first of each in such a series is
    /// logged at Warning or Error, the others at Debug: a receiver that is down would otherwise log a line per event and attempt.
    /// The series is summed up when a delivery gets through again.
    /// </summary>
    private int _failedInSeries;

    private int _gaveUpInSeries;

    /// <summary>An attempt failed since the last delivery: the receiver is given a rest, and its queue does not slow ingestion down.</summary>
    private bool ReceiverFailing => _failedInSeries > 0;

    /// <summary>The last secret decrypted, so each delivery does not decrypt it again.</summary>
    private (string Protected, string? Plain)? _secret;

    private readonly List<WebhookDeliveryUpdate> _unsaved = [];
    private Task _writing = Task.CompletedTask;

    /// <summary>The grain's key, decoded once (each decoding allocates a new string).</summary>
    private string SubscriptionId => _subscriptionId ??= this.GetPrimaryKeyString();

    private string? _subscriptionId;

    private bool IsActive => _subscription is { Status: WebhookSubscriptionStatus.Active };

    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        _subscription = await store.GetSubscriptionAsync(SubscriptionId, cancellationToken);
        await MoveLegacyQueueAsync(cancellationToken);
        await LoadPendingAsync(cancellationToken);
        Wake();
    }

    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // The rows stay stored; they are no longer this silo's work. Outcomes not written yet are written now if possible.
        backlog.ForgetDeliveryQueue(SubscriptionId);
        try
        {
            await WaitForWritesAsync().WaitAsync(cancellationToken);
        }
        catch (Exception exception) when (exception is OperationCanceledException or TimeoutException)
        {
            LogUnsavedAtDeactivation(SubscriptionId, _unsaved.Count);
        }
        finally
        {
            _deactivating = true;
        }
    }

    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        // Only an earlier version's wake-up reminder can tick here; the delivery log needs none.
        if (await this.GetReminder(reminderName) is { } reminder)
        {
            await this.UnregisterReminder(reminder);
        }

        Wake();
    }

    public async Task<Outcome<WebhookSubscriptionRecord>> CreateAsync(string url, string key, string clientAppId)
    {
        if (_subscription is { Status: WebhookSubscriptionStatus.Active })
        {
            return _subscription;
        }

        if (await urlPolicy.CheckAsync(url) is { } refusal)
        {
            return Problem.Invalid("url", refusal);
        }

        var now = time.GetUtcNow();
        if (_subscription is not null)
        {
            // Subscribing again is how a subscription disabled by a 410 Gone is taken back into use (the redelivery conflict
            // says so): it becomes active again, keeps its id and delivery log, and gets the events made from now on.
            _subscription = _subscription with { Status = WebhookSubscriptionStatus.Active, StatusReason = null, ModifiedOn = now };
            await store.SaveSubscriptionAsync(_subscription);
            return _subscription;
        }

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

    public async Task<Outcome> DeleteAsync()
    {
        if (_subscription is null)
        {
            return Problem.NotFound("webhook subscription", SubscriptionId);
        }

        // The subscription's delivery log goes with it; updates of its rows still waiting to be written find nothing.
        await store.DeleteSubscriptionAsync(SubscriptionId);
        _subscription = null;
        _queue.Clear();
        _storeHasMore = false;
        _timer?.Dispose();
        _timerDue = null;
        ReportQueue();
        if (legacyQueue.RecordExists)
        {
            await legacyQueue.ClearStateAsync();
        }

        DeactivateOnIdle();
        return Outcome.Ok;
    }

    public Task EnqueueAsync(OutgoingEvent outgoingEvent) => EnqueueManyAsync([outgoingEvent]);

    public async Task EnqueueManyAsync(IReadOnlyList<OutgoingEvent> outgoingEvents)
    {
        if (_subscription is not { Status: WebhookSubscriptionStatus.Active } subscription)
        {
            foreach (var skipped in outgoingEvents)
            {
                LogSkipped(SubscriptionId, skipped.Key, skipped.Id);
            }

            return;
        }

        var now = time.GetUtcNow();
        var added = await store.AppendDeliveriesAsync([.. outgoingEvents.Select(e => QueuedDelivery.First(subscription, e, now))]);
        Take(added);
        Wake();
    }

    public async Task DeliverAsync(IReadOnlyList<QueuedDelivery> deliveries)
    {
        if (!IsActive)
        {
            // Handed over from a cache that had not seen the subscription go: the rows are given up, not sent.
            await GiveUpRemainingAsync();
            return;
        }

        if (deliveries.Count == 0)
        {
            await ResumeAsync();
            return;
        }

        Take(deliveries);
        Wake();
    }

    public async Task ResumeAsync()
    {
        if (!IsActive)
        {
            await GiveUpRemainingAsync();
            return;
        }

        // A working activation reads the store itself when its queue runs dry; an idle one may have missed a hand-over.
        if (_inFlight == 0 && !_loading && _queue.Count == 0)
        {
            await WaitForWritesAsync();
            await LoadPendingAsync(CancellationToken.None);
        }

        Wake();
    }

    public async Task<Outcome<WebhookDeliveryRecord>> RedeliverAsync(string deliveryId)
    {
        if (_subscription is not { } subscription
            || await store.GetDeliveryAsync(deliveryId) is not { } original
            || original.SubscriptionId != SubscriptionId)
        {
            return Problem.NotFound("webhook delivery", deliveryId);
        }

        if (subscription.Status != WebhookSubscriptionStatus.Active)
        {
            return Problem.Conflict("deliveryId",
                $"Webhook subscription '{SubscriptionId}' is {subscription.Status.ToString().ToLowerInvariant()} ({subscription.StatusReason}); subscribe again to receive events.");
        }

        // A delivery still being attempted gets its attempts anyway; a redelivery now would only send the event twice.
        if (_queue.Any(pending => pending.Delivery.Id == original.Id))
        {
            return Problem.Conflict("deliveryId",
                $"Webhook delivery '{original.Id}' is still pending; it is attempted until it is delivered or given up (TaskService:Webhooks:MaxAttempts), and can be redelivered then.");
        }

        var now = time.GetUtcNow();
        var added = await store.AppendDeliveriesAsync(
        [
            new QueuedDelivery
            {
                Id = Common.DeterministicId.NewId(),
                SubscriptionId = SubscriptionId,
                ClientAppId = subscription.ClientAppId,
                Event = original.Event,
                RedeliveryOf = original.Id,
                NextAttemptAt = now,
                CreatedOn = now,
            },
        ]);
        Take(added);
        Wake();
        var queued = added[0];
        LogRedelivering(SubscriptionId, original.Id, queued.Id, queued.Event.Id);
        return queued.ToPendingRecord();
    }

    public async Task<WebhookDeliveryStats> GetDeliveryStatsAsync()
    {
        await WaitForWritesAsync();
        return await store.GetDeliveryStatsAsync(SubscriptionId);
    }

    /// <summary>Reads the next page of pending rows (those not known here) into the queue.</summary>
    private async Task LoadPendingAsync(CancellationToken cancellationToken)
    {
        var rows = await store.GetPendingDeliveriesAsync(SubscriptionId, PageSize, cancellationToken);
        _storeHasMore = rows.Count == PageSize;
        if (!IsActive)
        {
            if (rows.Count > 0)
            {
                await GiveUpRemainingAsync();
            }

            return;
        }

        Merge(rows);
    }

    /// <summary>Takes rows just appended, unless the store holds older pending rows not read yet (they come first).</summary>
    private void Take(IReadOnlyList<QueuedDelivery> rows)
    {
        if (!_storeHasMore)
        {
            Merge(rows);
        }
    }

    private void Merge(IReadOnlyList<QueuedDelivery> rows)
    {
        var inOrder = true;
        foreach (var row in rows)
        {
            if (_known.Add(row.Id))
            {
                inOrder &= _queue.Count == 0 || _queue[^1].Delivery.Sequence < row.Sequence;
                _queue.Add(new Pending(row));
            }
        }

        if (!inOrder)
        {
            // Rows of concurrent hand-overs may arrive out of their sequence; the list stays in it (the sort is stable).
            var ordered = _queue.OrderBy(p => p.Delivery.Sequence).ToArray();
            _queue.Clear();
            _queue.AddRange(ordered);
        }

        ReportQueue();
    }

    /// <summary>Starts what can be attempted now.</summary>
    private void Wake()
    {
        ReportQueue();
        Pump();
    }

    /// <summary>
    /// Tells this silo's backlog how many deliveries wait here, so ingestion slows down when delivery falls behind. A queue held
    /// up by a failing receiver counts for nothing: that receiver must not stop events for everyone else.
    /// </summary>
    private void ReportQueue() =>
        backlog.ReportDeliveryQueue(SubscriptionId, !IsActive || ReceiverFailing ? 0 : _queue.Count);

    /// <summary>
    /// Starts attempts while fewer than <see cref="WebhookOptions.MaxInFlight"/> are under way: for each task, its first queued
    /// delivery once it is due and none of that task's deliveries is in flight. Sets the timer for the next due retry, and reads
    /// the next page of the store when the queue ran dry. Runs on this activation only, so its fields need no lock.
    /// </summary>
    /// <remarks>
    /// An attempt can finish before its first await (a receiver or a failure that answers at once) and call this again from
    /// inside the loop that starts attempts. That call only asks for another pass: run there, it would start rows the outer
    /// loop is about to start, and each would be sent twice.
    /// </remarks>
    private void Pump()
    {
        if (_pumping)
        {
            _pumpAgain = true;
            return;
        }

        _pumping = true;
        try
        {
            do
            {
                _pumpAgain = false;
                PumpOnce();
            }
            while (_pumpAgain);
        }
        finally
        {
            _pumping = false;
        }
    }

    private void PumpOnce()
    {
        if (_subscription is not { Status: WebhookSubscriptionStatus.Active } subscription || _deactivating)
        {
            return;
        }

        var now = time.GetUtcNow();
        if (_restUntil > now)
        {
            SetTimer(_restUntil, now);
            return;
        }

        var max = options.Value.MaxInFlight;
        DateTimeOffset? nextDue = null;
        List<Pending>? starting = null;
        if (_inFlight < max && _queue.Count > 0)
        {
            var seen = _orderKeysSeen;
            seen.Clear();
            foreach (var pending in _queue)
            {
                if (_inFlight + (starting?.Count ?? 0) >= max)
                {
                    break;
                }

                // Only the first row of each task may go; the rows behind it wait for it, in flight or not.
                if (!seen.Add(pending.OrderKey) || pending.InFlight)
                {
                    continue;
                }

                if (pending.NextAttemptAt > now)
                {
                    nextDue = nextDue is { } earlier && earlier < pending.NextAttemptAt ? earlier : pending.NextAttemptAt;
                    continue;
                }

                (starting ??= []).Add(pending);
            }
        }

        // Started after the scan: an attempt may finish (and leave the queue) before its first await.
        foreach (var pending in starting ?? [])
        {
            pending.InFlight = true;
            _inFlight++;
            _ = AttemptInBackgroundAsync(subscription, pending);
        }

        if (nextDue is { } due)
        {
            SetTimer(due, now);
        }

        if (_queue.Count == 0 && _storeHasMore && _inFlight == 0 && !_loading)
        {
            _ = LoadNextPageAsync();
        }
    }

    /// <summary>Sets the timer to pump at <paramref name="due"/>, unless it is set to pump before.</summary>
    private void SetTimer(DateTimeOffset due, DateTimeOffset now)
    {
        if (_timerDue is { } set && set <= due)
        {
            return;
        }

        _timerDue = due;
        _timer?.Dispose();
        var dueTime = due - now;
        _timer = this.RegisterGrainTimer(
            OnTimerAsync,
            new GrainTimerCreationOptions(dueTime > TimeSpan.Zero ? dueTime : TimeSpan.Zero, Timeout.InfiniteTimeSpan) { Interleave = true, KeepAlive = true });
    }

    private Task OnTimerAsync(CancellationToken cancellationToken)
    {
        _timerDue = null;
        Pump();
        return Task.CompletedTask;
    }

    private async Task AttemptInBackgroundAsync(WebhookSubscriptionRecord subscription, Pending pending)
    {
        try
        {
            using (await sender.EnterAsync())
            {
                await AttemptAsync(subscription, pending, CancellationToken.None);
            }

            if (_unsaved.Count >= MaxUnsavedUpdates)
            {
                await _writing;
            }
        }
        catch (Exception exception)
        {
            // Not an answer of the receiver (those are outcomes): the row stays pending and is attempted again after a rest.
            LogAttemptFailed(SubscriptionId, pending.Delivery.Id, exception);
            Rest(time.GetUtcNow(), null);
        }
        finally
        {
            pending.InFlight = false;
            _inFlight--;
            Pump();
        }
    }

    /// <summary>The outcomes of the rows just worked off are written first, so the next page holds none of them.</summary>
    private async Task LoadNextPageAsync()
    {
        _loading = true;
        try
        {
            await WaitForWritesAsync();
            await LoadPendingAsync(CancellationToken.None);
        }
        catch (Exception exception)
        {
            LogLoadFailed(SubscriptionId, WriteRetryDelay, exception);
            _restUntil = time.GetUtcNow() + WriteRetryDelay;
        }
        finally
        {
            _loading = false;
            Pump();
        }
    }

    /// <summary>
    /// The receiver failed: no new attempt starts for a while, longer with each rest in a row (the failed row itself waits for
    /// its own backoff). A delivery that gets through ends the series, so one event the receiver refuses does not hold up the others.
    /// </summary>
    private void Rest(DateTimeOffset now, TimeSpan? retryAfter)
    {
        if (_restUntil > now)
        {
            return;
        }

        _rests++;
        _restUntil = now + Backoff(_rests, retryAfter);
    }

    private async Task AttemptAsync(WebhookSubscriptionRecord subscription, Pending delivery, CancellationToken cancellationToken)
    {
        var attempt = delivery.Attempts + 1;
        var attemptedOn = time.GetUtcNow();
        var started = Stopwatch.GetTimestamp();
        var outgoing = delivery.Delivery.Event;
        var app = await store.GetClientAppAsync(subscription.ClientAppId, cancellationToken);
        var secret = app is null ? null : UnprotectCached(app.ApiSecret);
        var result = app is null
            ? new WebhookDeliveryResult(WebhookDeliveryOutcome.Retry, null, $"Client app '{subscription.ClientAppId}' that owns the subscription no longer exists.", null)
            : secret is null
                // Never sent unsigned: the attempt fails, visibly, until the key is fixed (see the client-app-secrets health check).
                ? new WebhookDeliveryResult(WebhookDeliveryOutcome.Retry, null, $"The secret of client app '{subscription.ClientAppId}' cannot be decrypted with the configured TaskService:Secrets keys, so the delivery cannot be signed.", null)
                : await sender.SendAsync(subscription.Url, WebhookSender.CreateBody(outgoing), secret, cancellationToken, outgoing.TraceParent,
                    app.PreviousSecretAt(time.GetUtcNow()) is { } previous ? Unprotect(previous) : null);
        var durationMs = (int)Math.Min(int.MaxValue, Stopwatch.GetElapsedTime(started).TotalMilliseconds);

        if (_subscription is null || !_queue.Contains(delivery))
        {
            // Deleted while the call was in flight: its rows are gone and stay gone.
            return;
        }

        delivery.Attempts = attempt;
        var now = time.GetUtcNow();
        var update = new WebhookDeliveryUpdate
        {
            DeliveryId = delivery.Delivery.Id,
            Attempts = attempt,
            LastStatusCode = result.StatusCode,
            LastError = result.Error,
            LastDurationMs = durationMs,
            ModifiedOn = now,
        };
        switch (result.Outcome)
        {
            case WebhookDeliveryOutcome.Delivered:
                if (_failedInSeries > 0)
                {
                    LogRecovered(SubscriptionId, _failedInSeries, _gaveUpInSeries);
                }

                _rests = 0;
                _failedInSeries = 0;
                _gaveUpInSeries = 0;
                Finish(delivery, update with { Status = WebhookDeliveryStatus.Delivered, DeliveredOn = now }, attemptedOn);
                LogDelivered(SubscriptionId, outgoing.Key, outgoing.Id, attempt, result.StatusCode ?? 0);
                break;

            case WebhookDeliveryOutcome.Gone:
                LogGone(SubscriptionId, subscription.Url);
                Finish(delivery, update with { Status = WebhookDeliveryStatus.Failed }, attemptedOn);
                _subscription = subscription with
                {
                    Status = WebhookSubscriptionStatus.Disabled,
                    StatusReason = "The receiver answered 410 Gone.",
                    ModifiedOn = now,
                };
                await store.SaveSubscriptionAsync(_subscription, cancellationToken);
                await GiveUpRemainingAsync();
                break;

            case WebhookDeliveryOutcome.Undeliverable:
                Finish(delivery, update with { Status = WebhookDeliveryStatus.Failed }, attemptedOn);
                LogUndeliverable(SubscriptionId, outgoing.Key, outgoing.Id, result.Error);
                break;

            default:
                _failedInSeries++;
                if (attempt >= options.Value.MaxAttempts)
                {
                    Finish(delivery, update with { Status = WebhookDeliveryStatus.Failed }, attemptedOn);
                    if (_gaveUpInSeries++ == 0)
                    {
                        LogGaveUp(SubscriptionId, outgoing.Key, outgoing.Id, attempt, result.Error);
                    }
                    else
                    {
                        LogGaveUpAgain(SubscriptionId, outgoing.Key, outgoing.Id, attempt, result.Error);
                    }
                }
                else
                {
                    var delay = Backoff(attempt, result.RetryAfter);
                    delivery.NextAttemptAt = now + delay;
                    Record(update with { Status = WebhookDeliveryStatus.Pending, NextAttemptAt = delivery.NextAttemptAt }, delivery, attemptedOn);
                    if (_failedInSeries == 1)
                    {
                        LogRetrying(SubscriptionId, outgoing.Key, outgoing.Id, attempt, delay, result.Error);
                    }
                    else
                    {
                        LogRetryingAgain(SubscriptionId, outgoing.Key, outgoing.Id, attempt, delay, result.Error);
                    }
                }

                Rest(now, result.RetryAfter);
                break;
        }

        ReportQueue();
    }

    /// <summary>A delivery is done with (delivered or given up): it leaves the queue and its outcome is written.</summary>
    private void Finish(Pending delivery, WebhookDeliveryUpdate update, DateTimeOffset attemptedOn)
    {
        _queue.Remove(delivery);
        Record(update, delivery, attemptedOn);
    }

    private void Record(WebhookDeliveryUpdate update, Pending delivery, DateTimeOffset attemptedOn)
    {
        _unsaved.Add(update with
        {
            Attempt = new WebhookDeliveryAttemptRecord
            {
                Id = WebhookDeliveryAttemptRecord.IdOf(update.DeliveryId, update.Attempts),
                DeliveryId = update.DeliveryId,
                SubscriptionId = delivery.Delivery.SubscriptionId,
                Attempt = update.Attempts,
                AttemptedOn = attemptedOn,
                StatusCode = update.LastStatusCode,
                DurationMs = update.LastDurationMs ?? 0,
                Error = update.LastError,
                NextAttemptAt = update.NextAttemptAt,
            },
        });
        StartWriting();
    }

    /// <summary>
    /// Gives up every delivery still queued here or pending in the store (the subscription was disabled or deleted), without
    /// attempting them.
    /// </summary>
    private async Task GiveUpRemainingAsync()
    {
        var reason = _subscription is null
            ? "The webhook subscription no longer exists."
            : $"The webhook subscription is disabled: {_subscription.StatusReason}";
        while (true)
        {
            var now = time.GetUtcNow();
            foreach (var pending in _queue.ToArray())
            {
                _queue.Remove(pending);
                _unsaved.Add(new WebhookDeliveryUpdate
                {
                    DeliveryId = pending.Delivery.Id,
                    Status = WebhookDeliveryStatus.Failed,
                    Attempts = pending.Attempts,
                    LastError = reason,
                    ModifiedOn = now,
                });
                LogSkipped(SubscriptionId, pending.Delivery.Event.Key, pending.Delivery.Event.Id);
            }

            StartWriting();
            await WaitForWritesAsync();
            var rows = _deactivating ? [] : await store.GetPendingDeliveriesAsync(SubscriptionId, PageSize);
            if (rows.Count == 0)
            {
                _storeHasMore = false;
                ReportQueue();
                return;
            }

            _queue.AddRange(rows.Select(r => new Pending(r)));
        }
    }

    private void StartWriting()
    {
        if (_writing.IsCompleted && _unsaved.Count > 0)
        {
            _writing = WriteUnsavedAsync();
        }
    }

    /// <summary>Writes the outcomes waiting, one batch at a time, until none waits; a failed write is tried again.</summary>
    private async Task WriteUnsavedAsync()
    {
        while (_unsaved.Count > 0 && !_deactivating)
        {
            var batch = _unsaved.ToArray();
            _unsaved.Clear();
            try
            {
                await store.RecordDeliveryUpdatesAsync(batch);
            }
            catch (Exception exception)
            {
                LogWriteFailed(SubscriptionId, batch.Length, WriteRetryDelay, exception);
                _unsaved.InsertRange(0, batch);
                await Task.Delay(WriteRetryDelay, time);
                continue;
            }

            foreach (var update in batch)
            {
                if (update.Status != WebhookDeliveryStatus.Pending)
                {
                    Remember(update.DeliveryId);
                }
            }
        }
    }

    /// <summary>Returns once every outcome recorded so far is written.</summary>
    private async Task WaitForWritesAsync()
    {
        while (!_deactivating && (!_writing.IsCompleted || _unsaved.Count > 0))
        {
            StartWriting();
            await _writing;
        }
    }

    private void Remember(string finishedId)
    {
        _finished.Enqueue(finishedId);
        while (_finished.Count > MaxRememberedIds)
        {
            _known.Remove(_finished.Dequeue());
        }
    }

    /// <summary>
    /// Moves a delivery queue stored as grain state by an earlier version to the delivery log, once, and clears that state.
    /// </summary>
    private async Task MoveLegacyQueueAsync(CancellationToken cancellationToken)
    {
        if (!legacyQueue.RecordExists)
        {
            return;
        }

        if (_subscription is { } subscription && legacyQueue.State.Queue.Count > 0)
        {
            var now = time.GetUtcNow();
            await store.AppendDeliveriesAsync(
                [.. legacyQueue.State.Queue.Select(p => QueuedDelivery.First(subscription, p.Event, now) with { Attempts = p.Attempts, NextAttemptAt = p.NextAttemptAt })],
                cancellationToken);
            LogMovedLegacyQueue(SubscriptionId, legacyQueue.State.Queue.Count);
        }

        await legacyQueue.ClearStateAsync(cancellationToken);
    }

    /// <summary>Exponential backoff with equal jitter, or the receiver's Retry-After; both capped at the configured maximum.</summary>
    private TimeSpan Backoff(int attempts, TimeSpan? retryAfter)
    {
        var settings = options.Value;
        if (retryAfter is { } asked)
        {
            return asked < settings.MaxBackoff ? asked : settings.MaxBackoff;
        }

        // Draws in the lower half of a ±50 % band: between half the doubling delay and all of it ("equal jitter"), never more.
        return new Backoff(settings.InitialBackoff, settings.MaxBackoff, Jitter: 0.5).Delay(attempts, Random.Shared.NextDouble() / 2);
    }

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

    private string? UnprotectCached(string protectedSecret)
    {
        if (_secret is { } known && known.Protected == protectedSecret)
        {
            return known.Plain;
        }

        var plain = Unprotect(protectedSecret);
        _secret = (protectedSecret, plain);
        return plain;
    }

    /// <summary>A queued delivery and where it stands in this activation.</summary>
    private sealed class Pending(QueuedDelivery delivery)
    {
        public QueuedDelivery Delivery { get; } = delivery;

        /// <summary>What the delivery keeps its order with (<see cref="OutgoingEventOrder.KeyOf"/>).</summary>
        public string OrderKey { get; } = OutgoingEventOrder.KeyOf(delivery.Event);

        public bool InFlight { get; set; }

        public int Attempts { get; set; } = delivery.Attempts;

        public DateTimeOffset NextAttemptAt { get; set; } = delivery.NextAttemptAt;
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {SubscriptionId} delivered {EventKey} event {EventId} after {Attempts} attempt(s) with status {StatusCode}")]
    private partial void LogDelivered(string subscriptionId, string eventKey, string eventId, int attempts, int statusCode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SubscriptionId} failed to deliver {EventKey} event {EventId} (attempt {Attempts}); retrying in {Delay}: {Error}. Further failures are logged at Debug until a delivery gets through")]
    private partial void LogRetrying(string subscriptionId, string eventKey, string eventId, int attempts, TimeSpan delay, string? error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {SubscriptionId} failed to deliver {EventKey} event {EventId} (attempt {Attempts}); retrying in {Delay}: {Error}")]
    private partial void LogRetryingAgain(string subscriptionId, string eventKey, string eventId, int attempts, TimeSpan delay, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {SubscriptionId} gave up on {EventKey} event {EventId} after {Attempts} attempts: {Error}. Raise TaskService:Webhooks:MaxAttempts or fix the receiver, then redeliver it (POST /webhooks/{{id}}/deliveries/{{deliveryId}}/redeliver); the deliveries given up on are listed by GET /webhooks/{{id}}/deliveries with status failed, and counted when a delivery gets through")]
    private partial void LogGaveUp(string subscriptionId, string eventKey, string eventId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {SubscriptionId} gave up on {EventKey} event {EventId} after {Attempts} attempts: {Error}")]
    private partial void LogGaveUpAgain(string subscriptionId, string eventKey, string eventId, int attempts, string? error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {SubscriptionId} delivers again, after {FailedAttempts} failed attempt(s) in a row; {GaveUp} delivery(ies) were given up on meanwhile")]
    private partial void LogRecovered(string subscriptionId, int failedAttempts, int gaveUp);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {SubscriptionId} cannot deliver {EventKey} event {EventId}: {Error}. The event is dropped")]
    private partial void LogUndeliverable(string subscriptionId, string eventKey, string eventId, string? error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {SubscriptionId}: the client app secret cannot be decrypted; the delivery is not sent unsigned")]
    private partial void LogCannotSign(string subscriptionId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SubscriptionId} at {Url} answered 410 Gone; the subscription is disabled")]
    private partial void LogGone(string subscriptionId, string url);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Webhook {SubscriptionId} is not active; {EventKey} event {EventId} not delivered")]
    private partial void LogSkipped(string subscriptionId, string eventKey, string eventId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {SubscriptionId} redelivers delivery {DeliveryId} as {RedeliveryId} (event {EventId})")]
    private partial void LogRedelivering(string subscriptionId, string deliveryId, string redeliveryId, string eventId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Webhook {SubscriptionId}: attempting delivery {DeliveryId} failed inside the service; it stays pending and is attempted again")]
    private partial void LogAttemptFailed(string subscriptionId, string deliveryId, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SubscriptionId} could not read its pending deliveries; trying again in {Delay}")]
    private partial void LogLoadFailed(string subscriptionId, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SubscriptionId} could not write the outcomes of {Count} delivery attempt(s); trying again in {Delay}")]
    private partial void LogWriteFailed(string subscriptionId, int count, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook {SubscriptionId} deactivated with {Count} delivery outcome(s) not written; those deliveries are made again")]
    private partial void LogUnsavedAtDeactivation(string subscriptionId, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook {SubscriptionId}: moved {Count} queued delivery(ies) stored by an earlier version to the delivery log")]
    private partial void LogMovedLegacyQueue(string subscriptionId, int count);
}
