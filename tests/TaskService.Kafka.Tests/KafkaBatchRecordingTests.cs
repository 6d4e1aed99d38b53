using Confluent.Kafka;
using TaskService.Connectors.Kafka;
using TaskService.Queries;

namespace TaskService.Kafka.Tests;

/// <summary>The events of one read of a partition are recorded together, and recording them so keeps every guarantee.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaBatchRecordingTests(KafkaMockCluster kafka)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AReadIsRecordedTogetherNothingIsCommittedBeforeItIsRecordedAndAFailingEventAmongGoodOnesIsDeadLetteredAlone()
    {
        const int count = 20, poisonAt = 7;
        var input = KafkaMockCluster.NewTopicName("batch-in");
        var deadLetters = KafkaMockCluster.NewTopicName("batch-dead");
        var group = $"group-{input}";
        kafka.CreateTopic(input, 1);
        kafka.CreateTopic(deadLetters, 1);

        // Every message is in the partition before the silo reads it, so one read takes them all.
        var poison = TestEvent.Message().With("poison", true).CreatingTask("kafka-task", "Never").PayloadJson;
        using (var producer = kafka.CreateProducer())
        {
            for (var n = 0; n < count; n++)
            {
                producer.Produce(new TopicPartition(input, 0), new Message<string?, string> { Value = n == poisonAt ? poison : TaskServiceSilos.CreateOneTask(n) });
            }

            producer.Flush(TimeSpan.FromSeconds(30));
        }

        GatedStore gated = null!;
        await using var silos = await TaskServiceSilos.StartAsync(
            "batch-recording",
            kafka,
            1,
            settings =>
            {
                settings["TaskService:Kafka:Incoming:Enabled"] = "true";
                settings["TaskService:Kafka:Incoming:Topics:0"] = input;
                settings["TaskService:Kafka:Incoming:GroupId"] = group;
                settings["TaskService:Kafka:Incoming:DeadLetterTopic"] = deadLetters;
            },
            store => GatedStore.Wrap(store, out gated));
        await silos.DeployCreateTasksWorkflowAsync(input);
        await using var deadLettered = new TopicCollector(kafka, deadLetters, 1);

        // One at a time, a second recording would start only after the first one returned: all waiting at once is one batch.
        await Eventually.ReturnsAsync(() => gated.Waiting, w => w >= count, Deadline, "the whole read waits at the store together");
        Assert.Equal(0, await silos.CountAsync(EntityKind.Task));
        Assert.True(kafka.CommittedOffsets(group, input, 1)[0] < 0, "nothing is committed while no event of the read is recorded");

        gated.Open();
        await Eventually.ReturnsAsync(() => silos.CountAsync(EntityKind.Task), c => c >= count - 1, Deadline, "every good event of the batch is routed");
        var letter = Assert.Single(await Eventually.ReturnsAsync(() => deadLettered.Messages, m => m.Count >= 1, Deadline, "the failing event is dead-lettered"));
        await Eventually.ReturnsAsync(() => kafka.CommittedOffsets(group, input, 1)[0], o => o == count, Deadline, "the partition is committed past the whole batch");

        Assert.Equal(poisonAt.ToString(System.Globalization.CultureInfo.InvariantCulture), letter.Header(KafkaHeaders.OriginOffset));
        Assert.Equal(KafkaHeaders.ReasonDeliveryFailed, letter.Header(KafkaHeaders.DeadLetterReason));
        Assert.Equal(poison, letter.Value);
        Assert.Equal(count - 1, await silos.CountAsync(EntityKind.Task));
        Assert.Equal(count - 1, await silos.CountAsync(EntityKind.Event));

        // A good event recorded with its read is not recorded again by the event router; the failing one is tried again there.
        var good = Enumerable.Range(0, count).Where(n => n != poisonAt).Select(n => KafkaEventConverter.EventId(input, 0, n));
        Assert.All(good, id => Assert.Equal(1, gated.RecordingsOf(id)));
        Assert.True(gated.RecordingsOf(KafkaEventConverter.EventId(input, 0, poisonAt)) > 1, "the failing event is recorded again by the event router");
    }
}
