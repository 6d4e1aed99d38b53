using System.Collections.Concurrent;
using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using TaskService.Events;
using TaskService.Storage;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// Reads one partition for its pulling agent. The partition is taken with <c>Assign</c> (not a group subscription), so Orleans'
/// queue balancer, not Kafka's group protocol, decides which silo reads it. A message becomes an event on the stream of its key;
/// one that cannot (not JSON, no key) is dead-lettered. The events of one read are recorded together (concurrent writes that the
/// store commits as one group), so a partition is carried at one commit per read, not one per message; an event whose recording
/// fails is handed over unrecorded, and the event router records it (its failures are then retried and dead-lettered as any failed
/// delivery). The recorded events of a read go to the event router of their key as one batch per run (one call, not one per
/// message; see <see cref="KafkaBatchContainer"/>). An event that was routed already (the message was read again) is not handed over. Offsets are stored for commit
/// only when the pulling agent reports messages delivered (its cache purges only handled ones), and the offset stored is the one
/// after the last handled message of a contiguous run, so a restart resumes exactly at the first message not known to be handled.
/// While this silo's routing backlog is full, nothing is read (the partition pauses).
/// </summary>
public sealed class KafkaQueueAdapterReceiver : IQueueAdapterReceiver
{
    private readonly KafkaOptions _options;
    private readonly KafkaEventConverter _converter;
    private readonly KafkaDeadLetterPublisher _deadLetters;
    private readonly Action<KafkaQueueAdapterReceiver> _onShutdown;
    private readonly ITaskServiceStore? _store;
    private readonly RoutingBacklog? _backlog;
    private readonly ILogger _logger;
    private readonly string _clientId;
    private KafkaClientLogging? _clientLogging;
    private readonly ConcurrentDictionary<long, ConsumeResult<byte[]?, byte[]?>> _inFlight = new();

    /// <summary>The batches handed to the pulling agent and not delivered yet, by the offset of their last message.</summary>
    private readonly ConcurrentDictionary<long, KafkaBatchContainer> _batchesInFlight = new();
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _storeLock = new();
    private IConsumer<byte[]?, byte[]?>? _consumer;

    /// <summary>Whether this receiver has said that its partition holds offsets earlier events had (it says so once).</summary>
    private bool _reportedReusedOffsets;

    internal KafkaQueueAdapterReceiver(
        QueueId queueId,
        TopicPartition partition,
        KafkaOptions options,
        KafkaEventConverter converter,
        KafkaDeadLetterPublisher deadLetters,
        Action<KafkaQueueAdapterReceiver> onShutdown,
        ILogger logger,
        ITaskServiceStore? store = null,
        RoutingBacklog? backlog = null)
    {
        _store = store;
        _backlog = backlog;
        QueueId = queueId;
        Partition = partition;
        _options = options;
        _converter = converter;
        _deadLetters = deadLetters;
        _onShutdown = onShutdown;
        _logger = logger;
        _clientId = $"task-service-{partition.Topic}-{partition.Partition.Value}-{Guid.NewGuid():N}";
    }

    public QueueId QueueId { get; }

    public TopicPartition Partition { get; }

    /// <summary>Where this partition stands: what was read, handled and committed.</summary>
    public KafkaOffsetTracker Offsets { get; } = new();

    public Task Initialize(TimeSpan timeout)
    {
        var logging = _clientLogging = new KafkaClientLogging(_logger, _clientId);
        var consumer = new ConsumerBuilder<byte[]?, byte[]?>(KafkaClientConfig.ForReceiver(_options, _clientId))
            .SetLogHandler((_, message) => logging.Log(message))
            .SetErrorHandler((_, error) => logging.Error(error))
            .Build();

        // Offset.Stored: the group's committed offset, else auto.offset.reset (StartFrom).
        consumer.Assign(new TopicPartitionOffset(Partition, Offset.Stored));
        _consumer = consumer;
        KafkaLog.ReceiverStarted(_logger, Partition.Topic, Partition.Partition.Value, _options.Incoming.GroupId);
        return Task.CompletedTask;
    }

    public async Task<IList<IBatchContainer>> GetQueueMessagesAsync(int maxCount)
    {
        var consumer = _consumer;
        if (consumer is null || _backlog is { IsFull: true })
        {
            return [];
        }

        var limit = maxCount < 0 ? _options.Incoming.MaxBatchSize : Math.Min(maxCount, _options.Incoming.MaxBatchSize);
        var read = new List<(ConsumeResult<byte[]?, byte[]?> Result, EventRecord Record)>();
        while (read.Count < limit)
        {
            ConsumeResult<byte[]?, byte[]?>? result;
            try
            {
                // librdkafka fetches in the background; a zero timeout takes what has arrived without blocking the agent.
                result = consumer.Consume(TimeSpan.Zero);
            }
            catch (ConsumeException exception)
            {
                KafkaLog.ConsumeFailed(_logger, Partition.Topic, Partition.Partition.Value, exception);
                break;
            }

            if (result is null)
            {
                break;
            }

            _clientLogging?.Worked();
            if (result.IsPartitionEOF || !Offsets.Read(result.Offset.Value))
            {
                continue;
            }

            KafkaInstruments.MessagesRead.Add(1);
            if (_converter.TryConvert(result, out var record, out var error))
            {
                read.Add((result, record!));
            }
            else
            {
                _ = DeadLetterInvalidAsync(result, error!);
            }
        }

        var batches = await RecordAsync(read);
        StoreCommittable();
        return batches;
    }

    /// <summary>
    /// Records the events of one read at once and turns the messages into stream batches: recorded ones marked so, ones whose
    /// recording failed unmarked (the event router records them), ones routed already handled at once and not handed over.
    /// Consecutive recorded messages of one stream go over as one batch (one call to the event router for the whole run); an
    /// unrecorded one goes alone, so that when the event router cannot record it either, only that message is retried and
    /// dead-lettered. Each stream's batches keep the partition's order.
    /// </summary>
    private async Task<IList<IBatchContainer>> RecordAsync(List<(ConsumeResult<byte[]?, byte[]?> Result, EventRecord Record)> read)
    {
        var batches = new List<IBatchContainer>(read.Count);
        if (read.Count == 0)
        {
            return batches;
        }

        // Without a store (a receiver built on its own) every event goes over unrecorded, and the event router records it.
        var recordings = new Task<EventRecording>?[read.Count];
        if (_store is { } store)
        {
            for (var i = 0; i < read.Count; i++)
            {
                recordings[i] = Record(store, read[i].Record);
            }

            await SettledAsync(recordings!);
            await RecordUnderTimestampIdsAsync(store, read, recordings);
        }

        var routedAlready = 0;
        var open = new Dictionary<StreamId, (List<StreamedEvent> Events, List<long> Offsets)>();
        for (var i = 0; i < read.Count; i++)
        {
            var (result, record) = read[i];
            var recording = recordings[i];
            var offset = result.Offset.Value;
            if (recording is { IsCompletedSuccessfully: true, Result: EventRecording.Routed or EventRecording.Conflict })
            {
                if (recording.Result == EventRecording.Conflict)
                {
                    KafkaLog.IdConflict(_logger, Partition.Topic, Partition.Partition.Value, offset, record.Id);
                }

                Offsets.Handled(offset);
                routedAlready++;
                continue;
            }

            if (recording?.Exception is { } failure)
            {
                KafkaLog.RecordFailed(_logger, Partition.Topic, Partition.Partition.Value, offset, failure.GetBaseException());
            }

            _inFlight[offset] = result;
            var streamId = StreamId.Create(StreamNames.IncomingEvents, record.Key);
            if (recording is not { IsCompletedSuccessfully: true })
            {
                Close(streamId);
                Hand(KafkaBatchContainer.Single(streamId, record, offset, recorded: false, FallbackId(result, record)));
                continue;
            }

            if (!open.TryGetValue(streamId, out var run))
            {
                run = ([], []);
                open.Add(streamId, run);
            }

            run.Events.Add(new StreamedEvent { Record = record, Recorded = true });
            run.Offsets.Add(offset);
        }

        foreach (var streamId in open.Keys.ToList())
        {
            Close(streamId);
        }

        // Batches go to the cache in the order of their last message; a stream's batches are in offset order either way.
        batches.Sort((a, b) => ((KafkaBatchContainer)a).Offset.CompareTo(((KafkaBatchContainer)b).Offset));

        if (routedAlready > 0)
        {
            KafkaInstruments.MessagesHandled.Add(routedAlready);
        }

        return batches;

        void Close(StreamId streamId)
        {
            if (open.Remove(streamId, out var run))
            {
                Hand(new KafkaBatchContainer { StreamId = streamId, Events = run.Events, Offsets = run.Offsets });
            }
        }

        void Hand(KafkaBatchContainer batch)
        {
            _batchesInFlight[batch.Offset] = batch;
            batches.Add(batch);
        }
    }

    /// <summary>
    /// Records again, under the id that adds the message's timestamp (<see cref="KafkaEventConverter.TimestampEventId"/>), each
    /// event whose offset id an earlier event of other content holds: the topic was deleted and created again (or the consumer
    /// now reads another cluster's topic of that name), so its offsets count from the start again. Without this, every such
    /// message would be skipped until the offsets passed the old ones. Reading the message again gives the same id.
    /// </summary>
    private async Task RecordUnderTimestampIdsAsync(
        ITaskServiceStore store, List<(ConsumeResult<byte[]?, byte[]?> Result, EventRecord Record)> read, Task<EventRecording>?[] recordings)
    {
        List<int>? again = null;
        for (var i = 0; i < read.Count; i++)
        {
            if (recordings[i] is { IsCompletedSuccessfully: true, Result: EventRecording.Conflict }
                && TimestampId(read[i].Result, read[i].Record.Id) is { } timestampId)
            {
                var record = read[i].Record with { Id = timestampId };
                read[i] = (read[i].Result, record);
                recordings[i] = Record(store, record);
                (again ??= []).Add(i);
            }
        }

        if (again is null)
        {
            return;
        }

        if (!_reportedReusedOffsets)
        {
            _reportedReusedOffsets = true;
            KafkaLog.OffsetsReused(_logger, Partition.Topic, Partition.Partition.Value, read[again[0]].Result.Offset.Value);
        }

        await SettledAsync(again.Select(i => recordings[i]!));
    }

    /// <summary>
    /// The id under which the event router records an event whose recording failed here, should its offset id turn out to be
    /// an earlier event's (as <see cref="RecordUnderTimestampIdsAsync"/> does here): none once the event has that id already, or
    /// when the message has no timestamp.
    /// </summary>
    private static string? FallbackId(ConsumeResult<byte[]?, byte[]?> result, EventRecord record) =>
        record.Id == KafkaEventConverter.EventId(result.Topic, result.Partition.Value, result.Offset.Value)
            ? TimestampId(result, record.Id)
            : null;

    /// <summary>The message's offset id with its timestamp (<see cref="KafkaEventConverter.TimestampEventId"/>); none without a timestamp.</summary>
    private static string? TimestampId(ConsumeResult<byte[]?, byte[]?> result, string offsetId) =>
        result.Message.Timestamp.Type != TimestampType.NotAvailable
            ? KafkaEventConverter.TimestampEventId(offsetId, result.Message.Timestamp.UnixTimestampMs)
            : null;

    /// <summary>
    /// Waits until every recording has ended, failed ones included: each failure is read from its own task afterwards, and the
    /// events whose recording failed go over unrecorded.
    /// </summary>
    private static async Task SettledAsync(IEnumerable<Task<EventRecording>> recordings)
    {
        try
        {
            await Task.WhenAll(recordings);
        }
        catch (Exception)
        {
            // Read from each task by the caller.
        }
    }

    private Task<EventRecording> Record(ITaskServiceStore store, EventRecord record)
    {
        try
        {
            return store.RecordEventAsync(record, _stopping.Token);
        }
        catch (Exception exception)
        {
            return Task.FromException<EventRecording>(exception);
        }
    }

    public Task MessagesDeliveredAsync(IList<IBatchContainer> messages)
    {
        var handled = 0;
        foreach (var message in messages)
        {
            if (message is KafkaBatchContainer batch)
            {
                _batchesInFlight.TryRemove(batch.Offset, out _);
                foreach (var offset in batch.Offsets)
                {
                    _inFlight.TryRemove(offset, out _);
                    Offsets.Handled(offset);
                }

                handled += batch.Offsets.Count;
            }
        }

        KafkaInstruments.MessagesHandled.Add(handled);
        StoreCommittable();
        return Task.CompletedTask;
    }

    /// <summary>
    /// Called by the <see cref="KafkaDeliveryFailureHandler"/> when delivery of the batch whose last message is at
    /// <paramref name="offset"/> kept failing: writes its messages to the dead-letter topic before the pulling agent moves on.
    /// (A message the receiver could not record goes in a batch of its own, so a failure to record it is dead-lettered alone.)
    /// </summary>
    internal async Task DeadLetterFailedDeliveryAsync(long offset, StreamId streamId)
    {
        IReadOnlyList<long> offsets = _batchesInFlight.TryGetValue(offset, out var batch) ? batch.Offsets : [offset];
        var error = $"Delivery to the event router of stream '{streamId}' kept failing after {_options.Incoming.DeliveryRetries} retries.";
        foreach (var held in offsets)
        {
            if (!_inFlight.TryGetValue(held, out var result))
            {
                KafkaLog.FailedMessageNotHeld(_logger, Partition.Topic, Partition.Partition.Value, held, streamId.ToString());
                continue;
            }

            await _deadLetters.PublishAsync(result, KafkaHeaders.ReasonDeliveryFailed, error, _stopping.Token);
        }
    }

    public async Task Shutdown(TimeSpan timeout)
    {
        _onShutdown(this);
        IConsumer<byte[]?, byte[]?>? consumer;
        lock (_storeLock)
        {
            // Deliveries reported from now on store nothing: the final commit below names the offset itself.
            consumer = _consumer;
            _consumer = null;
        }

        await _stopping.CancelAsync();
        if (consumer is null)
        {
            return;
        }

        // Commit and Close block on the brokers: they run on a thread of their own (a busy thread pool cannot hold them back) and
        // the wait for them is bounded by the timeout.
        var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        var close = Task.Factory.StartNew(
            () =>
            {
                CommitFinal(consumer, deadline);
                try
                {
                    consumer.Close();
                }
                finally
                {
                    consumer.Dispose();
                }
            },
            CancellationToken.None,
            TaskCreationOptions.LongRunning,
            TaskScheduler.Default);
        try
        {
            await close.WaitAsync(timeout);
        }
        catch (TimeoutException exception)
        {
            KafkaLog.FinalCommitFailed(_logger, Partition.Topic, Partition.Partition.Value, exception);
        }

        KafkaLog.ReceiverStopped(_logger, Partition.Topic, Partition.Partition.Value, Offsets.Next);
    }

    /// <summary>
    /// Commits the offset after the handled prefix by name (not through the stored offset, which a failed store may have left
    /// behind), retrying what the brokers refuse for a while (no coordinator yet, a request timed out) until the deadline.
    /// </summary>
    private void CommitFinal(IConsumer<byte[]?, byte[]?> consumer, long deadline)
    {
        var next = Offsets.Next;
        if (next < 0)
        {
            return;
        }

        for (var attempt = 1; ; attempt++)
        {
            try
            {
                consumer.Commit([new TopicPartitionOffset(Partition, next)]);
                return;
            }
            catch (KafkaException exception) when (exception.Error.Code == Confluent.Kafka.ErrorCode.Local_NoOffset)
            {
                return; // Committed already.
            }
            catch (KafkaException exception)
            {
                var pause = TimeSpan.FromMilliseconds(Math.Min(50 * attempt, 500));
                if (exception.Error.IsFatal || Stopwatch.GetTimestamp() + (long)(pause.TotalSeconds * Stopwatch.Frequency) >= deadline)
                {
                    KafkaLog.FinalCommitFailed(_logger, Partition.Topic, Partition.Partition.Value, exception);
                    return;
                }

                Thread.Sleep(pause);
            }
        }
    }

    private async Task DeadLetterInvalidAsync(ConsumeResult<byte[]?, byte[]?> result, string error)
    {
        await Task.CompletedTask.ConfigureAwait(ConfigureAwaitOptions.ForceYielding);
        try
        {
            await _deadLetters.PublishAsync(result, KafkaHeaders.ReasonInvalidMessage, error, _stopping.Token);
            Offsets.Handled(result.Offset.Value);
            KafkaInstruments.MessagesHandled.Add(1);
        }
        catch (OperationCanceledException)
        {
            // Shut down first: not handled here, so not committed; the partition's next owner reads it again.
        }
    }

    /// <summary>
    /// Stores the committable offset for the background commit. One store at a time, so a later offset is never overwritten by an
    /// earlier one; a store that fails is tried again by the next call.
    /// </summary>
    private void StoreCommittable()
    {
        lock (_storeLock)
        {
            var consumer = _consumer;
            if (consumer is null || !Offsets.TryTakeCommittable(out var next))
            {
                return;
            }

            try
            {
                consumer.StoreOffset(new TopicPartitionOffset(Partition, next));
            }
            catch (KafkaException exception)
            {
                Offsets.StoreFailed(next);
                KafkaLog.StoreOffsetFailed(_logger, Partition.Topic, Partition.Partition.Value, next, exception);
            }
        }
    }
}
