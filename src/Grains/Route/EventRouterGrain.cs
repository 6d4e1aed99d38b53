using System.Diagnostics;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Orleans.Placement;
using Orleans.Streams;
using Orleans.Streams.Core;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Storage;
using TaskService.Workflows;

namespace TaskService.Events;

/// <summary>
/// One per event key. Takes events from the ingress (HTTP, Orleans clients; while they are being recorded), from the sweeper and
/// from the event stream of its key (Kafka), and starts every workflow mapped to the key with the payload as variables. Events do not wait for each
/// other: up to <see cref="EventRoutingOptions.MaxConcurrentRoutings"/> are routed at once, the rest wait in arrival order.
/// An event whose routing fails is tried again a few times within seconds (a silo of the cluster stopping, a store timing out),
/// then logged, counted and left unrouted in the store (the sweeper tries it later); other events go on meanwhile, so one bad
/// event never stalls its queue. Routers are placed at random, so in a cluster the keys' routing work is
/// spread over the silos whichever silo took the events.
/// </summary>
[ImplicitStreamSubscription(StreamNames.IncomingEvents)]
[RandomPlacement]
public sealed partial class EventRouterGrain(
    ITaskServiceStore store,
    IWorkflowEngine engine,
    RoutingBacklog backlog,
    RoutedEventMarker marker,
    EventsBeingRecorded recordings,
    IOptions<EventRoutingOptions> options,
    ILogger<EventRouterGrain> logger,
    IClusterMembershipService? membership = null,
    ILocalSiloDetails? localSilo = null) : Grain, IEventRouterGrain, IStreamSubscriptionObserver, IAsyncObserver<StreamedEvent>
{
    /// <summary>The waits before the retries of an event whose workflows could not be started.</summary>
    private static readonly TimeSpan[] RetryDelays = [TimeSpan.FromMilliseconds(200), TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(5)];

    /// <summary>Events waiting for a routing slot, each with its record's write while it is written (null when recorded before).</summary>
    private readonly Queue<(EventRecord Record, long Arrived, Task<EventRecording>? Recording)> _waiting = new();
    /// <summary>The ids of the events waiting or being routed here, so that an event handed over again meanwhile is not routed twice at once.</summary>
    private readonly HashSet<string> _held = new(StringComparer.Ordinal);
    private bool _deactivating;
    private int _failedWhileLeaving;
    private int _running;
    private TaskCompletionSource? _drained;

    /// <summary>Until when (a <see cref="Stopwatch"/> timestamp) stream deliveries take events without waiting for room again.</summary>
    private long _noWaitUntil;

    private string EventKey => this.GetPrimaryKeyString();

    public async Task OnSubscribed(IStreamSubscriptionHandleFactory handleFactory) =>
        await handleFactory.Create<StreamedEvent>().ResumeAsync(this);

    /// <summary>
    /// An event from a stream (Kafka), recorded by the connector that read it (many at a time) or, when recording failed there,
    /// recorded here; a failure here fails the delivery, which the stream retries and finally dead-letters. While the backlog is
    /// full the delivery waits, which pauses the partition; once recorded, the event is queued (the offset may then be
    /// committed: the store holds it). A delivery carries the events of a read one after another (a batch): once a wait ran out
    /// with the backlog still full, the next events take no wait of their own for as long again, so one delivery call waits
    /// about <see cref="EventRoutingOptions.StreamBackpressureWait"/> in all, not that per event, and stays within the call's
    /// timeout; reading stays paused meanwhile, since the receiver reads nothing while the backlog is full.
    /// </summary>
    public async Task OnNextAsync(StreamedEvent item, StreamSequenceToken? token = null)
    {
        if (backlog.IsFull && Stopwatch.GetTimestamp() >= _noWaitUntil)
        {
            var wait = options.Value.StreamBackpressureWait;
            if (!await backlog.WaitForRoomAsync(wait))
            {
                _noWaitUntil = Stopwatch.GetTimestamp() + (long)(wait.TotalSeconds * Stopwatch.Frequency);
            }
        }

        var record = item.Record;
        if (!item.Recorded)
        {
            var found = await store.RecordEventAsync(record);
            if (found == EventRecording.Conflict && item.FallbackId is { } fallbackId)
            {
                // Its id is an earlier event's (a Kafka topic created again): recorded under the id the connector gave for that.
                record = record with { Id = fallbackId };
                found = await store.RecordEventAsync(record);
            }

            if (found is EventRecording.Routed or EventRecording.Conflict)
            {
                LogNotRouted(EventKey, record.Id, found);
                return;
            }
        }

        if (_held.Contains(record.Id))
        {
            // Held here already (a retry is pending, or the sweeper handed it over too): routed once, by the routing under way.
            LogDuplicate(EventKey, record.Id);
            return;
        }

        backlog.Add();
        EventRoutingInstruments.EventsAccepted.Add(1);
        Enqueue(record);
    }

    /// <summary>
    /// A router going away (its silo stops, or it is idle) first routes what it holds: a Kafka offset is committed once the event
    /// is recorded, so an event left here would wait for the unrouted-event sweeper's grace period.
    /// </summary>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Going away: a failed start is not tried again here (the sweeper does, from wherever the events are routed next).
        _deactivating = true;
        if (reason.ReasonCode == DeactivationReasonCode.ShuttingDown && _waiting.Count > 0 && !AnotherSiloIsActive())
        {
            LeaveWaitingForNextStart();
        }

        if (_running == 0 && _waiting.Count == 0)
        {
            return;
        }

        _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        try
        {
            await _drained.Task.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            LogNotDrained(EventKey, _running + _waiting.Count);
        }

        if (_failedWhileLeaving > 0)
        {
            LogFailedWhileLeaving(EventKey, _failedWhileLeaving);
        }
    }

    /// <summary>
    /// This silo stops and no other is active, so no silo can take a workflow instance any more: the events still waiting are
    /// not tried (each start would fail placing its instance, with an error of its own). They stay recorded as not routed, and
    /// the next start's sweep routes them at once. The routings already under way finish or fail as they would.
    /// </summary>
    private void LeaveWaitingForNextStart()
    {
        var key = _waiting.Peek().Record.Key;
        var left = 0;
        while (_waiting.TryDequeue(out var waiting))
        {
            _held.Remove(waiting.Record.Id);
            backlog.Remove();
            left++;
        }

        LogLeftForNextStart(key, left);
    }

    /// <summary>Whether a silo other than this one is active (true when the membership is not known, as outside a cluster's silo).</summary>
    private bool AnotherSiloIsActive() =>
        membership is null
        || localSilo is null
        || membership.CurrentSnapshot.Members.Values.Any(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(localSilo.SiloAddress));

    public Task OnCompletedAsync() => Task.CompletedTask;

    public Task OnErrorAsync(Exception ex)
    {
        LogStreamError(EventKey, ex);
        return Task.CompletedTask;
    }

    public Task<EventAcceptance> AcceptAsync(EventRecord record, bool force) => Task.FromResult(Accept(record, force, recorded: true));

    /// <summary>
    /// The ingress's way in: the event's workflows start while its record is being written, so the commit the sender waits for
    /// is not a step on the way to the workflows and their tasks. The event is noted as routed only after that commit (the
    /// note deletes the record's unrouted row). If the record fails, the sender is told (and may send the event again), and
    /// the routing records the event once more after its start, so that what the workflows did keeps the event it came from.
    /// A second sending finds the workflows started (their ids derive from the event): nothing starts twice.
    /// </summary>
    public Task<EventAcceptance> AcceptWhileRecordedAsync(EventRecord record, bool force) => Task.FromResult(Accept(record, force, recorded: false));

    /// <summary>
    /// Queues the event for routing unless it is held here already or the backlog refuses it. One not <paramref name="recorded"/>
    /// yet goes with its record's write: the one this silo's ingress has under way, or one started here.
    /// </summary>
    private EventAcceptance Accept(EventRecord record, bool force, bool recorded)
    {
        if (_held.Contains(record.Id))
        {
            // Held here already: routed once, by the routing under way (the ingress's caller waits for its own record). Two
            // routings of one event at once could both find no instance and start two in an engine that keeps no idempotency
            // of its own (Camunda).
            LogDuplicate(record.Key, record.Id);
            return EventAcceptance.Accepted;
        }

        if (!TryTakeRoom(force))
        {
            return EventAcceptance.Refused(options.Value.RetryAfter);
        }

        EventRoutingInstruments.EventsAccepted.Add(1);
        Enqueue(record, recorded ? null : recordings.Find(record.Id) ?? store.RecordEventAsync(record));
        return EventAcceptance.Accepted;
    }

    /// <summary>Takes a place in the backlog for an event (with <paramref name="force"/>, whatever its bound); false when refused.</summary>
    private bool TryTakeRoom(bool force)
    {
        if (force)
        {
            backlog.Add();
            return true;
        }

        if (backlog.TryAdd())
        {
            return true;
        }

        EventRoutingInstruments.EventsRefused.Add(1);
        return false;
    }

    public async Task<bool> RouteAsync(EventRecord record)
    {
        if (await store.RecordEventAsync(record) is var found and (EventRecording.Routed or EventRecording.Conflict))
        {
            LogNotRouted(record.Key, record.Id, found);
            return false;
        }

        await StartWorkflowsAsync(record);
        await store.MarkEventRoutedAsync(record.Id);
        return true;
    }

    private void Enqueue(EventRecord record, Task<EventRecording>? recording = null)
    {
        _held.Add(record.Id);
        _waiting.Enqueue((record, Stopwatch.GetTimestamp(), recording));
        Pump();
    }

    /// <summary>Starts waiting events while fewer than the allowed number are being routed. Runs on this activation only.</summary>
    private void Pump()
    {
        var max = options.Value.MaxConcurrentRoutings;
        while (_running < max && _waiting.TryDequeue(out var next))
        {
            _running++;

            // Runs in this activation's context: its continuations take turns with the grain's calls, so the queue and the
            // counter need no lock.
            _ = RouteInBackgroundAsync(next.Record, next.Arrived, next.Recording);
        }
    }

    private async Task RouteInBackgroundAsync(EventRecord record, long arrived, Task<EventRecording>? recording)
    {
        // Each event is routed under its own trace, not under whichever call happened to start this routing.
        System.Diagnostics.Activity.Current = null;
        using var activity = TaskServiceActivities.StartRouting(record.Id, record.Key, record.TraceParent);
        try
        {
            for (var attempt = 0; ; attempt++)
            {
                try
                {
                    await StartWorkflowsAsync(record);
                    break;
                }
                catch (Exception exception) when (attempt < RetryDelays.Length && !_deactivating)
                {
                    // A silo of the cluster stopping or crashing, a store timing out: the start is idempotent, so it is tried
                    // again here soon, rather than by the sweeper after its grace period.
                    LogRoutingRetry(record.Key, record.Id, RetryDelays[attempt], exception.GetBaseException().Message);
                    await Task.Delay(RetryDelays[attempt]);
                }
            }

            // Noted as routed only when what was routed is the recorded event: not for a duplicate, nor for another event under
            // a recorded event's id, which must not pass for it.
            if (recording is null || await RecordedAsync(record, recording) is EventRecording.New or EventRecording.Unrouted)
            {
                await marker.MarkAsync(record.Id);
                EventRoutingInstruments.EventsRouted.Add(1);
                EventRoutingInstruments.RoutingLag.Record(Stopwatch.GetElapsedTime(arrived).TotalSeconds);
            }
        }
        catch (Exception exception)
        {
            // Dead-lettered: the event stays recorded as not routed, so the sweeper routes it again later; this queue moves on.
            EventRoutingInstruments.EventsFailed.Add(1);
            if (_deactivating)
            {
                // A silo stopping on its own cannot place the instances any more: one summary when the router is gone, not an
                // error per event.
                _failedWhileLeaving++;
                LogRoutingFailedWhileLeaving(record.Key, record.Id, exception.GetBaseException().Message);
            }
            else
            {
                LogRoutingFailed(record.Key, record.Id, exception);
            }
        }
        finally
        {
            _held.Remove(record.Id);
            _running--;
            backlog.Remove();
            Pump();
            if (_running == 0 && _waiting.Count == 0)
            {
                _drained?.TrySetResult();
            }
        }
    }

    /// <summary>
    /// What the record written while the event was routed found. When it failed (its sender was told, and may send the event
    /// again), the event is recorded here once more: its workflows have started, so the event they came from is kept too. A
    /// failure of that second record fails the routing (the event then is neither recorded nor noted).
    /// </summary>
    private async Task<EventRecording> RecordedAsync(EventRecord record, Task<EventRecording> recording)
    {
        EventRecording found;
        try
        {
            found = await recording;
        }
        catch (Exception exception)
        {
            LogRecordingAgain(record.Key, record.Id, exception.GetBaseException().Message);
            found = await store.RecordEventAsync(record);
        }

        if (found is EventRecording.Routed or EventRecording.Conflict)
        {
            // Routed before: a duplicate, whose start here found what the first one started. A conflict: its sender was told.
            LogNotRouted(record.Key, record.Id, found);
        }

        return found;
    }

    private async Task StartWorkflowsAsync(EventRecord record)
    {
        var mappings = await store.GetEventMappingsAsync(record.Key);
        if (mappings.Count == 0)
        {
            LogNoMapping(record.Key, record.Id);
        }

        foreach (var mapping in mappings)
        {
            // The instance id derives from the event and the mapping, so starting again after a crash finds the same instance.
            try
            {
                var start = await engine.StartAsync(mapping.WorkflowKey, record.Payload, DeterministicId.From("event-workflow", record.Id, mapping.Id));
                if (start.Value is { } started)
                {
                    LogWorkflowStarted(record.Key, record.Id, mapping.WorkflowKey, started.InstanceId);
                }
                else
                {
                    // A mapping to a workflow that is not deployed: retrying cannot help.
                    LogWorkflowNotStarted(record.Key, record.Id, mapping.WorkflowKey, start.Problem!.Detail);
                }
            }
            catch (TaskServiceException exception) when (exception.Kind != TaskServiceErrorKind.Unavailable)
            {
                // A mapping to a workflow that is not deployed, or input the workflow refuses: retrying cannot help.
                LogWorkflowStartFailed(record.Key, record.Id, mapping.WorkflowKey, exception);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} with key {EventKey} was already routed; ignored")]
    private partial void LogDuplicate(string eventKey, string eventId);

    // Debug, as a duplicate: over HTTP its sender was answered 422, and a client's mistake is not the service's warning.
    [LoggerMessage(Level = LogLevel.Debug,
        Message = "Event {EventId} with key {EventKey} was not recorded: its id names an event recorded before with other content (key, payload, source or description); give each event an id of its own")]
    private partial void LogConflict(string eventKey, string eventId);

    private void LogNotRouted(string eventKey, string eventId, EventRecording found)
    {
        if (found == EventRecording.Conflict)
        {
            LogConflict(eventKey, eventId);
        }
        else
        {
            LogDuplicate(eventKey, eventId);
        }
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} with key {EventKey} recorded; no workflow is mapped to the key")]
    private partial void LogNoMapping(string eventKey, string eventId);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Event {EventId} with key {EventKey} started workflow {WorkflowKey} as instance {InstanceId}")]
    private partial void LogWorkflowStarted(string eventKey, string eventId, string workflowKey, string instanceId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} with key {EventKey} could not start workflow {WorkflowKey}: {Reason}")]
    private partial void LogWorkflowNotStarted(string eventKey, string eventId, string workflowKey, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} with key {EventKey} could not start workflow {WorkflowKey}")]
    private partial void LogWorkflowStartFailed(string eventKey, string eventId, string workflowKey, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event {EventId} with key {EventKey} could not be recorded ({Reason}) while its workflows started; its sender was told, and it is recorded again now")]
    private partial void LogRecordingAgain(string eventKey, string eventId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Routing event {EventId} with key {EventKey} failed ({Reason}); trying again in {Delay}")]
    private partial void LogRoutingRetry(string eventKey, string eventId, TimeSpan delay, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Routing event {EventId} with key {EventKey} failed; it is dead-lettered (left unrouted for the sweeper) and the queue moves on")]
    private partial void LogRoutingFailed(string eventKey, string eventId, Exception exception);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Routing event {EventId} with key {EventKey} failed while its router went away ({Reason}); it is left unrouted for the sweeper")]
    private partial void LogRoutingFailedWhileLeaving(string eventKey, string eventId, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event router {EventKey} went away with {Count} event(s) whose workflows could not be started as it left; they stay unrouted, and the next silo to start (or a remaining one) routes them")]
    private partial void LogFailedWhileLeaving(string eventKey, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Event router {EventKey} went away with {Count} event(s) not routed; the unrouted-event sweeper routes them")]
    private partial void LogNotDrained(string eventKey, int count);

    [LoggerMessage(Level = LogLevel.Information, Message = "Event router {EventKey} left {Count} waiting event(s) unrouted as its silo stops with no other active; the next start routes them")]
    private partial void LogLeftForNextStart(string eventKey, int count);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event stream {EventKey} reported an error")]
    private partial void LogStreamError(string eventKey, Exception exception);
}
