using Confluent.Kafka;
using Microsoft.Extensions.Logging.Abstractions;
using Orleans.Streams;
using TaskService.Connectors.Kafka;
using TaskService.Events;
using TaskService.Storage.InMemory;

namespace TaskService.Kafka.Tests;

/// <summary>
/// A partition's receiver hands the recorded messages of one read to the event router as one batch per run of a stream, and a
/// message it could not record as a batch of its own; offsets become committable only as whole batches are delivered.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaBatchHandOffTests(KafkaMockCluster kafka)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task ARunOfRecordedMessagesIsOneBatchInOrderAnUnrecordedOneGoesAloneAndOffsetsFollowDeliveredBatches()
    {
        const int count = 10, poisonAt = 4;
        var topic = KafkaMockCluster.NewTopicName("hand-off");
        kafka.CreateTopic(topic, 1);
        var poison = TestEvent.Message().With("poison", true).CreatingTask("kafka-task", "Never").PayloadJson;
        using (var producer = kafka.CreateProducer())
        {
            for (var n = 0; n < count; n++)
            {
                producer.Produce(new TopicPartition(topic, 0), new Message<string?, string> { Value = n == poisonAt ? poison : TaskServiceSilos.CreateOneTask(n) });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        var options = new KafkaOptions { BootstrapServers = kafka.BootstrapServers, Incoming = { GroupId = $"group-{topic}", Topics = [topic] } };
        var receiver = new KafkaQueueAdapterReceiver(
            QueueId.GetQueueId("kafka", 0, 0),
            new TopicPartition(topic, 0),
            options,
            new KafkaEventConverter(options.Incoming, TimeProvider.System),
            new KafkaDeadLetterPublisher(options, $"dead-letters-{topic}", NullLogger<KafkaDeadLetterPublisher>.Instance),
            _ => { },
            NullLogger.Instance,
            store: PoisonStore.Wrap(new InMemoryTaskServiceStore(TimeProvider.System)));
        await receiver.Initialize(TimeSpan.FromSeconds(10));
        try
        {
            // Every message is in the partition before the first read, so one read takes them all.
            var batches = new List<KafkaBatchContainer>();
            await Eventually.ReturnsAsync(
                async () =>
                {
                    batches.AddRange((await receiver.GetQueueMessagesAsync(100)).Cast<KafkaBatchContainer>());
                    return batches.Sum(b => b.Offsets.Count);
                },
                n => n >= count, Deadline, "every message is read");

            Assert.Equal([[0, 1, 2, 3], [poisonAt], [5, 6, 7, 8, 9]], batches.Select(b => b.Offsets.ToArray()));
            Assert.Equal([true, false, true], batches.Select(b => b.Events.All(e => e.Recorded)));
            Assert.All(batches, b => Assert.Equal(b.Offsets[^1], b.SequenceToken.SequenceNumber));

            // The event router takes a batch's events in offset order, each with its own message's token.
            var events = batches[2].GetEvents<StreamedEvent>().ToList();
            Assert.Equal([5L, 6, 7, 8, 9], events.Select(e => e.Item2.SequenceNumber));
            Assert.Equal(batches[2].Events.Select(e => e.Record.Id), events.Select(e => e.Item1.Record.Id));

            // Delivered: the first and last batch. The unrecorded message is not, so nothing after it is committable yet.
            await receiver.MessagesDeliveredAsync([batches[0], batches[2]]);
            Assert.Equal(poisonAt, receiver.Offsets.Next);
            Assert.Equal(count - poisonAt, receiver.Offsets.PendingCount);

            await receiver.MessagesDeliveredAsync([batches[1]]);
            Assert.Equal(count, receiver.Offsets.Next);
            Assert.Equal(0, receiver.Offsets.PendingCount);
        }
        finally
        {
            await receiver.Shutdown(TimeSpan.FromSeconds(10));
        }
    }
}
