using System.Collections.Concurrent;
using Amazon.SQS;
using Amazon.SQS.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using TaskService.Common;

namespace TaskService.Connectors.Sqs;

/// <summary>
/// Runs in every silo: long-polls each incoming queue (batches of up to 10) and records every message as an event through
/// <see cref="ISqsEventSink"/>, keeping the batch invisible while it is recorded and deleting a message only once its event is
/// recorded. A redelivered message (its silo died before the delete) records nothing new: the event id is the message id.
/// Messages of one FIFO group are recorded one after another in their order, and when one of them fails the rest of the group
/// is left for the next receive; different groups and standard-queue messages are recorded concurrently. A message that cannot
/// become an event goes to the dead-letter queue (or back to the queue for its redrive policy) and does not hold up the others.
/// </summary>
public sealed class SqsReceiver(
    IOptions<SqsOptions> options,
    ISqsEventSink sink,
    IHostApplicationLifetime lifetime,
    TimeProvider time,
    ILogger<SqsReceiver> logger,
    IOptions<LimitsOptions>? limits = null) : BackgroundService
{
    private static readonly List<string> SystemAttributes = ["MessageGroupId", "SentTimestamp", "ApproximateReceiveCount"];

    /// <summary>The longest pause between failed receives (or look-ups) of a queue, unless <see cref="SqsIncomingOptions.ErrorBackoff"/> is longer.</summary>
    internal static readonly TimeSpan MaxErrorBackoff = TimeSpan.FromSeconds(30);

    private readonly SqsIncomingOptions _incoming = options.Value.Incoming;
    private readonly AmazonSQSClient _client = SqsClientFactory.Create(options.Value);
    private readonly SqsEventConverter _converter = new(options.Value.Incoming, time, limits?.Value);
    private readonly Backoff _errorBackoff = new(
        options.Value.Incoming.ErrorBackoff, TimeSpan.FromTicks(Math.Max(options.Value.Incoming.ErrorBackoff.Ticks, MaxErrorBackoff.Ticks)), Jitter: 0.2);
    private SqsQueue? _deadLetter;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Grains are callable once the silo has started.
        if (!await HostedServiceWaits.WaitForStartAsync(lifetime, stoppingToken))
        {
            return;
        }

        var loops = new List<Task>();
        foreach (var configured in _incoming.Queues)
        {
            loops.Add(RunQueueAsync(configured, stoppingToken));
        }

        await Task.WhenAll(loops);
    }

    private async Task RunQueueAsync(string configured, CancellationToken stoppingToken)
    {
        // One run of failures per queue, shared by its look-up and its receive loops: a queue that cannot be reached is said
        // once, then once a minute, however many loops fail.
        var failures = new FailureRun(time);
        var queue = await ResolveAsync(configured, failures, stoppingToken);
        if (queue is null)
        {
            return;
        }

        if (_incoming.DeadLetterQueue is { } deadLetter && _deadLetter is null)
        {
            _deadLetter = await ResolveAsync(deadLetter, new FailureRun(time), stoppingToken);
        }

        SqsLog.ReceiverStarted(logger, queue.Name, _incoming.ReceiversPerQueue, _incoming.BatchSize);
        await Task.WhenAll(Enumerable.Range(0, _incoming.ReceiversPerQueue).Select(_ => ReceiveLoopAsync(queue, failures, stoppingToken)));
    }

    private async Task<SqsQueue?> ResolveAsync(string configured, FailureRun failures, CancellationToken stoppingToken)
    {
        var attempts = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var queue = await SqsQueue.ResolveAsync(_client, configured, stoppingToken);
                Recovered(SqsQueue.NameOf(configured), failures);
                return queue;
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                var delay = Failed(SqsLog.Operation.LookUp, SqsQueue.NameOf(configured), failures, ++attempts, exception);
                if (!await DelayAsync(delay, stoppingToken))
                {
                    return null;
                }
            }
            catch (OperationCanceledException)
            {
                return null;
            }
        }

        return null;
    }

    private async Task ReceiveLoopAsync(SqsQueue queue, FailureRun failures, CancellationToken stoppingToken)
    {
        var attempts = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan? pause;
            try
            {
                var response = await _client.ReceiveMessageAsync(new ReceiveMessageRequest
                {
                    QueueUrl = queue.Url,
                    MaxNumberOfMessages = _incoming.BatchSize,
                    WaitTimeSeconds = (int)_incoming.WaitTime.TotalSeconds,
                    VisibilityTimeout = VisibilitySeconds(_incoming.VisibilityTimeout),
                    MessageSystemAttributeNames = SystemAttributes,
                    MessageAttributeNames = ["All"],
                }, stoppingToken);
                attempts = 0;
                Recovered(queue.Name, failures);
                if (response.Messages is not { Count: > 0 } messages)
                {
                    continue;
                }

                SqsInstruments.MessagesReceived.Add(messages.Count);

                pause = await HandleBatchAsync(queue, messages, stoppingToken);
                if (pause is { } delay)
                {
                    SqsLog.Backpressure(logger, queue.Name, delay);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                pause = Failed(SqsLog.Operation.Receive, queue.Name, failures, ++attempts, exception);
            }

            if (pause is { } wait && !await DelayAsync(wait, stoppingToken))
            {
                return;
            }
        }
    }

    /// <summary>
    /// Says a failed look-up or receive of a queue as its run of failures asks (the first and then one a minute at Warning,
    /// with the reason and what to check but no stack; each at Debug with the exception); returns the pause before the
    /// loop's next attempt, which grows from <see cref="SqsIncomingOptions.ErrorBackoff"/> with the loop's failures.
    /// </summary>
    private TimeSpan Failed(SqsLog.Operation operation, string queue, FailureRun failures, int attempts, Exception exception)
    {
        var delay = _errorBackoff.Delay(attempts, Random.Shared.NextDouble());
        var run = failures.Fail();
        if (run.IsFirst)
        {
            SqsLog.Unavailable(logger, operation, queue, ExceptionMessages.Of(exception), _errorBackoff.Cap, SqsLog.WhatToCheck);
        }
        else if (run.Warn)
        {
            SqsLog.StillUnavailable(logger, operation, queue, run.Failures, run.ElapsedSeconds, ExceptionMessages.Of(exception), SqsLog.WhatToCheck);
        }

        SqsLog.AttemptFailed(logger, operation, queue, run.Failures, delay, exception);
        return delay;
    }

    private void Recovered(string queue, FailureRun failures)
    {
        if (failures.Succeed() is { } run)
        {
            SqsLog.Available(logger, queue, run.Failures, run.ElapsedSeconds);
        }
    }

    /// <summary>Records one received batch; returns how long to pause receiving when the ingress pushed back.</summary>
    internal async Task<TimeSpan?> HandleBatchAsync(SqsQueue queue, IReadOnlyList<Message> messages, CancellationToken stoppingToken)
    {
        var invisible = new ConcurrentDictionary<string, Message>(messages.Select(m => KeyValuePair.Create(m.MessageId, m)));
        var done = new ConcurrentBag<Message>();
        using var heartbeat = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var keepInvisible = KeepInvisibleAsync(queue, invisible, heartbeat.Token);

        // Standard queues: every message on its own. FIFO queues: one sequence per group, in the order received.
        var sequences = messages.GroupBy(m => SqsEventConverter.GroupId(m) ?? $"\0{m.MessageId}").Select(g => g.ToList());
        var pauses = await Task.WhenAll(sequences.Select(sequence => HandleSequenceAsync(queue, sequence, invisible, done, stoppingToken)));

        await heartbeat.CancelAsync();
        await keepInvisible;

        // Recorded messages are deleted even when the silo is stopping: fewer come back to be recorded again.
        using var deleting = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await DeleteAsync(queue, [.. done], deleting.Token);
        return pauses.Max();
    }

    private async Task<TimeSpan?> HandleSequenceAsync(
        SqsQueue queue, List<Message> sequence, ConcurrentDictionary<string, Message> invisible, ConcurrentBag<Message> done, CancellationToken stoppingToken)
    {
        for (var i = 0; i < sequence.Count; i++)
        {
            var message = sequence[i];
            var rest = sequence.Skip(i);
            if (!_converter.TryConvert(queue, message, out var record, out var error))
            {
                if (await DeadLetterAsync(queue, message, error!, stoppingToken))
                {
                    invisible.TryRemove(message.MessageId, out _);
                    done.Add(message);
                    continue;
                }

                // Left to the redrive policy: this message and the rest of its group come back after a delay that grows with
                // each receive, so a queue without a redrive policy does not spin on it.
                await ReleaseAsync(queue, [.. rest], invisible, RedriveDelay(message), stoppingToken);
                return null;
            }

            TimeSpan? retryAfter;
            try
            {
                retryAfter = await sink.RecordAsync(record!, stoppingToken);
            }
            catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
            {
                // Not recorded: this message and the rest of its group come back when their visibility timeout ends.
                SqsLog.RecordFailed(logger, queue.Name, message.MessageId, exception);
                foreach (var left in rest)
                {
                    invisible.TryRemove(left.MessageId, out _);
                }

                return null;
            }

            if (retryAfter is { } delay)
            {
                await ReleaseAsync(queue, [.. rest], invisible, delay, stoppingToken);
                return delay;
            }

            invisible.TryRemove(message.MessageId, out _);
            done.Add(message);
            SqsInstruments.MessagesRecorded.Add(1);
        }

        return null;
    }

    /// <summary>Sends the message to the dead-letter queue; false when there is none (or sending failed).</summary>
    private async Task<bool> DeadLetterAsync(SqsQueue queue, Message message, string error, CancellationToken stoppingToken)
    {
        if (_deadLetter is not { } deadLetter)
        {
            SqsLog.LeftToRedrive(logger, queue.Name, message.MessageId, error);
            return false;
        }

        try
        {
            var request = new SendMessageRequest
            {
                QueueUrl = deadLetter.Url,
                MessageBody = string.IsNullOrEmpty(message.Body) ? " " : message.Body,
                MessageAttributes = new Dictionary<string, MessageAttributeValue>
                {
                    [SqsAttributes.Error] = Text(error.Length > 1000 ? error[..1000] : error),
                    [SqsAttributes.SourceQueue] = Text(queue.Name),
                    [SqsAttributes.SourceMessageId] = Text(message.MessageId),
                },
            };
            if (deadLetter.IsFifo)
            {
                request.MessageGroupId = SqsEventConverter.GroupId(message) ?? queue.Name;
                request.MessageDeduplicationId = message.MessageId;
            }

            await _client.SendMessageAsync(request, stoppingToken);
            SqsInstruments.MessagesDeadLettered.Add(1);
            SqsLog.DeadLettered(logger, queue.Name, message.MessageId, deadLetter.Name, error);
            return true;
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            SqsLog.DeadLetterFailed(logger, queue.Name, message.MessageId, exception);
            return false;
        }
    }

    /// <summary>Extends the visibility of the messages still being recorded, at a third of the visibility timeout.</summary>
    private async Task KeepInvisibleAsync(SqsQueue queue, ConcurrentDictionary<string, Message> invisible, CancellationToken cancellationToken)
    {
        var period = _incoming.VisibilityTimeout / 3;
        while (await DelayAsync(period, cancellationToken))
        {
            var entries = invisible.Values.Select(m => new ChangeMessageVisibilityBatchRequestEntry
            {
                Id = m.MessageId,
                ReceiptHandle = m.ReceiptHandle,
                VisibilityTimeout = VisibilitySeconds(_incoming.VisibilityTimeout),
            }).ToList();
            if (entries.Count == 0)
            {
                continue;
            }

            try
            {
                await _client.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest { QueueUrl = queue.Url, Entries = entries }, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception exception)
            {
                SqsLog.VisibilityFailed(logger, queue.Name, exception);
            }
        }
    }

    /// <summary>Makes messages visible again after <paramref name="delay"/> and stops extending their visibility.</summary>
    private async Task ReleaseAsync(SqsQueue queue, List<Message> messages, ConcurrentDictionary<string, Message> invisible, TimeSpan delay, CancellationToken stoppingToken)
    {
        foreach (var message in messages)
        {
            invisible.TryRemove(message.MessageId, out _);
        }

        try
        {
            await _client.ChangeMessageVisibilityBatchAsync(new ChangeMessageVisibilityBatchRequest
            {
                QueueUrl = queue.Url,
                Entries = messages.Select(m => new ChangeMessageVisibilityBatchRequestEntry
                {
                    Id = m.MessageId,
                    ReceiptHandle = m.ReceiptHandle,
                    VisibilityTimeout = VisibilitySeconds(delay),
                }).ToList(),
            }, stoppingToken);
        }
        catch (Exception exception) when (!stoppingToken.IsCancellationRequested)
        {
            SqsLog.VisibilityFailed(logger, queue.Name, exception);
        }
    }

    private async Task DeleteAsync(SqsQueue queue, List<Message> messages, CancellationToken cancellationToken)
    {
        if (messages.Count == 0)
        {
            return;
        }

        try
        {
            var response = await _client.DeleteMessageBatchAsync(new DeleteMessageBatchRequest
            {
                QueueUrl = queue.Url,
                Entries = messages.Select(m => new DeleteMessageBatchRequestEntry { Id = m.MessageId, ReceiptHandle = m.ReceiptHandle }).ToList(),
            }, cancellationToken);
            if (response.Failed is { Count: > 0 } failed)
            {
                SqsLog.DeleteFailed(logger, queue.Name, new InvalidOperationException(
                    string.Join("; ", failed.Select(f => $"{f.Id}: {f.Code}"))));
            }
        }
        catch (Exception exception)
        {
            SqsLog.DeleteFailed(logger, queue.Name, exception);
        }
    }

    /// <summary><see cref="SqsIncomingOptions.ErrorBackoff"/> doubled per earlier receive of the message, at most the visibility timeout.</summary>
    internal TimeSpan RedriveDelay(Message message)
    {
        var receives = message.Attributes is { } attributes && attributes.TryGetValue("ApproximateReceiveCount", out var count)
            && int.TryParse(count, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var parsed)
                ? parsed
                : 1;
        return new Backoff(_incoming.ErrorBackoff, _incoming.VisibilityTimeout).Delay(receives, 0);
    }

    private static MessageAttributeValue Text(string value) => new() { DataType = "String", StringValue = value };

    private static int VisibilitySeconds(TimeSpan timeout) =>
        (int)Math.Clamp(Math.Ceiling(timeout.TotalSeconds), 0, 43_200);

    private Task<bool> DelayAsync(TimeSpan delay, CancellationToken cancellationToken) => HostedServiceWaits.DelayAsync(time, delay, cancellationToken);

    public override void Dispose()
    {
        base.Dispose();
        _client.Dispose();
    }
}
