using System.Diagnostics;
using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Streams;
using TaskService.Connectors.Kafka;
using TaskService.Events;

namespace TaskService.Kafka.Tests;

/// <summary>A partition's receiver reads nothing while the silo's routing backlog is full, and resumes where it stopped.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaBacklogPauseTests(KafkaMockCluster kafka)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    /// <summary>How long a full backlog is watched for reads that must not happen (the messages are in the topic meanwhile).</summary>
    private static readonly TimeSpan Watched = TimeSpan.FromMilliseconds(750);

    [Fact]
    public async Task WhileTheBacklogIsFullNothingIsReadAndOnceThereIsRoomTheWaitingMessagesAreReadInOrder()
    {
        var topic = KafkaMockCluster.NewTopicName("backlog");
        kafka.CreateTopic(topic, 1);
        var options = new KafkaOptions { BootstrapServers = kafka.BootstrapServers, Incoming = { GroupId = $"group-{topic}", Topics = [topic] } };
        var backlog = new RoutingBacklog(Options.Create(new EventRoutingOptions { MaxBacklog = 1 }));
        var receiver = new KafkaQueueAdapterReceiver(
            QueueId.GetQueueId("kafka", 0, 0),
            new TopicPartition(topic, 0),
            options,
            new KafkaEventConverter(options.Incoming, TimeProvider.System),
            new KafkaDeadLetterPublisher(options, $"dead-letters-{topic}", NullLogger<KafkaDeadLetterPublisher>.Instance),
            _ => { },
            NullLogger.Instance,
            store: null,
            backlog: backlog);
        await receiver.Initialize(TimeSpan.FromSeconds(10));
        try
        {
            // With room, the receiver reads: the first message arrives.
            Produce(topic, 0, 1);
            Assert.Single(await ReadAsync(receiver, 1));

            // Full: the next messages are in the topic, and nothing is read however often the agent asks.
            Assert.True(backlog.TryAdd());
            Assert.True(backlog.IsFull);
            Produce(topic, 1, 5);
            var watch = Stopwatch.StartNew();
            var asked = 0;
            while (watch.Elapsed < Watched)
            {
                Assert.Empty(await receiver.GetQueueMessagesAsync(100));
                asked++;
                await Task.Yield();
            }

            Assert.True(asked > 10, $"the agent asked {asked} times");
            Assert.Equal(1, receiver.Offsets.PendingCount);

            // Room again: the waiting messages are read, in order, from where the reads stopped.
            backlog.Remove();
            var read = await ReadAsync(receiver, 5);
            Assert.Equal([1, 2, 3, 4, 5], read.Select(b => (int)b.SequenceToken.SequenceNumber));
        }
        finally
        {
            await receiver.Shutdown(TimeSpan.FromSeconds(10));
        }
    }

    private void Produce(string topic, int first, int count)
    {
        using var producer = kafka.CreateProducer();
        for (var n = first; n < first + count; n++)
        {
            producer.Produce(new TopicPartition(topic, 0), new Message<string?, string> { Value = TaskServiceSilos.CreateOneTask(n) });
        }

        producer.Flush(TimeSpan.FromSeconds(30));
    }

    private static async Task<List<IBatchContainer>> ReadAsync(KafkaQueueAdapterReceiver receiver, int count)
    {
        var read = new List<IBatchContainer>();
        await Eventually.ReturnsAsync(
            async () =>
            {
                read.AddRange(await receiver.GetQueueMessagesAsync(100));
                return read.Count;
            },
            n => n >= count, Deadline, $"{count} message(s) are read");
        return read;
    }
}
