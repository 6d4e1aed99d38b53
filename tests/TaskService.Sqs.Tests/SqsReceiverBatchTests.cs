using System.Collections.Concurrent;
using Amazon.SQS.Model;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskService.Connectors.Sqs;
using TaskService.Events;

namespace TaskService.Sqs.Tests;

/// <summary>
/// One received batch with several messages per FIFO group (as AWS hands them out; the test server hands out one per group and
/// receive): each group's messages are recorded one after another in their order, and a failure stops only its own group.
/// </summary>
public sealed class SqsReceiverBatchTests
{
    [Fact]
    public async Task GroupsOfABatchAreRecordedInOrderConcurrentlyAndAFailureLeavesOnlyTheRestOfItsGroup()
    {
        using var sqs = SqsServer.Client();
        var (name, url) = await SqsServer.CreateQueueAsync(sqs, "batch", fifo: true);
        var queue = new SqsQueue(name, url);
        var sink = new OrderedSink { FailingId = SqsEventConverter.EventId(name, "a-2") };
        var options = Options.Create(new SqsOptions
        {
            ServiceUrl = new Uri(SqsServer.Url),
            Region = SqsServer.Region,
            Incoming = new SqsIncomingOptions { Enabled = true, Queues = [name] },
        });
        using var receiver = new SqsReceiver(options, sink, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance), TimeProvider.System, NullLogger<SqsReceiver>.Instance);

        // a-0, b-0, a-1, b-1, ...: the groups interleaved in one batch of 10.
        var batch = Enumerable.Range(0, 5)
            .SelectMany(n => new[] { Message("a", n), Message("b", n) })
            .ToList();
        var pause = await receiver.HandleBatchAsync(queue, batch, CancellationToken.None);

        Assert.Null(pause);
        Assert.Equal(["a-0", "a-1"], sink.Recorded.Where(id => id.StartsWith('a')));
        Assert.Equal(["b-0", "b-1", "b-2", "b-3", "b-4"], sink.Recorded.Where(id => id.StartsWith('b')));
        Assert.True(sink.MaxConcurrency >= 2, $"the two groups are recorded concurrently (at most {sink.MaxConcurrency} at once)");
    }

    private static Message Message(string group, int n) => new()
    {
        MessageId = $"{group}-{n}",
        ReceiptHandle = Guid.NewGuid().ToString(),
        Body = $$$"""{"n":{{{n}}}}""",
        Attributes = new Dictionary<string, string> { ["MessageGroupId"] = group },
    };

    /// <summary>Remembers which messages were recorded in which order, with a random delay per record; one id always fails.</summary>
    private sealed class OrderedSink : ISqsEventSink
    {
        private int _running;

        public string? FailingId { get; init; }

        public ConcurrentQueue<string> Recorded { get; } = new();

        public int MaxConcurrency { get; private set; }

        public async Task<TimeSpan?> RecordAsync(EventRecord record, CancellationToken cancellationToken)
        {
            var running = Interlocked.Increment(ref _running);
            lock (Recorded)
            {
                MaxConcurrency = Math.Max(MaxConcurrency, running);
            }

            try
            {
                await Task.Delay(Random.Shared.Next(1, 15), cancellationToken);
                if (record.Id == FailingId)
                {
                    throw new InvalidOperationException("The store is unavailable.");
                }

                Recorded.Enqueue(record.Id[(record.Id.LastIndexOf(':') + 1)..]);
                return null;
            }
            finally
            {
                Interlocked.Decrement(ref _running);
            }
        }
    }
}
