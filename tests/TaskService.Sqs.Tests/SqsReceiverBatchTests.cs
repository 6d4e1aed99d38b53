using System.Collections.Concurrent;
using Amazon.SQS.Model;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TaskService.Connectors.Sqs;
using TaskService.Events;

namespace TaskService.Sqs.Tests;

/// <summary>
/// What the receiver does with one received batch: several messages per FIFO group (as AWS hands them out; the test server hands
/// out one per group and receive) are recorded one after another in their order, and a failure stops only its own group; when
/// the ingress pushes back, nothing is deleted and the messages come back after the delay it asked for.
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

    [Fact]
    public async Task WhenTheIngressPushesBackTheBatchIsNotDeletedAndComesBackAfterTheDelayItAskedFor()
    {
        using var sqs = SqsServer.Client();
        var (name, url) = await SqsServer.CreateQueueAsync(sqs, "pushback");
        for (var n = 0; n < 3; n++)
        {
            await sqs.SendMessageAsync(url, $$$"""{"n":{{{n}}}}""");
        }

        var received = (await sqs.ReceiveMessageAsync(new ReceiveMessageRequest { QueueUrl = url, MaxNumberOfMessages = 10, VisibilityTimeout = 600 })).Messages;
        Assert.Equal(3, received.Count);
        var options = Options.Create(new SqsOptions
        {
            ServiceUrl = new Uri(SqsServer.Url),
            Region = SqsServer.Region,
            Incoming = new SqsIncomingOptions { Enabled = true, Queues = [name] },
        });
        var sink = new PushBackSink(TimeSpan.FromSeconds(1));
        using var receiver = new SqsReceiver(options, sink, new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance), TimeProvider.System, NullLogger<SqsReceiver>.Instance);

        var pause = await receiver.HandleBatchAsync(new SqsQueue(name, url), received, CancellationToken.None);

        // The receive loop pauses as asked, and the messages come back then, not after their 10 minutes of visibility.
        Assert.Equal(TimeSpan.FromSeconds(1), pause);
        var again = await SqsServer.DrainAsync(sqs, url, 3, TimeSpan.FromSeconds(20));
        Assert.Equal(received.Select(m => m.MessageId).Order(), again.Select(m => m.MessageId).Order());
    }

    [Fact]
    public void WithoutADeadLetterQueueAMalformedMessageComesBackAfterADelayGrowingWithItsReceives()
    {
        var options = Options.Create(new SqsOptions
        {
            ServiceUrl = new Uri("http://127.0.0.1:1"), // never called
            Incoming = new SqsIncomingOptions { Enabled = true, Queues = ["q"], ErrorBackoff = TimeSpan.FromSeconds(1), VisibilityTimeout = TimeSpan.FromSeconds(30) },
        });
        using var receiver = new SqsReceiver(options, new OrderedSink(), new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance), TimeProvider.System, NullLogger<SqsReceiver>.Instance);

        TimeSpan After(int receives) => receiver.RedriveDelay(new Message
        {
            MessageId = "m",
            Attributes = new Dictionary<string, string> { ["ApproximateReceiveCount"] = receives.ToString(System.Globalization.CultureInfo.InvariantCulture) },
        });

        Assert.Equal(TimeSpan.FromSeconds(1), After(1));
        Assert.Equal(TimeSpan.FromSeconds(4), After(3));
        Assert.Equal(TimeSpan.FromSeconds(30), After(12));
    }

    private static Message Message(string group, int n) => new()
    {
        MessageId = $"{group}-{n}",
        ReceiptHandle = Guid.NewGuid().ToString(),
        Body = $$$"""{"n":{{{n}}}}""",
        Attributes = new Dictionary<string, string> { ["MessageGroupId"] = group },
    };

    /// <summary>Refuses every event as the ingress does when its backlog is over its bound.</summary>
    private sealed class PushBackSink(TimeSpan retryAfter) : ISqsEventSink
    {
        public Task<TimeSpan?> RecordAsync(EventRecord record, CancellationToken cancellationToken) => Task.FromResult<TimeSpan?>(retryAfter);
    }

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
