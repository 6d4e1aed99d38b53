using System.Text.Json;
using Confluent.Kafka;
using TaskService.Connectors.Kafka;
using TaskService.Events;
using TaskService.Queries;
using TaskService.Serialization;
using TaskService.Storage;

namespace TaskService.Kafka.Tests;

/// <summary>A topic deleted and created again counts its offsets from the start again; its messages are events all the same.</summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaRecreatedTopicTests(KafkaMockCluster kafka)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AMessageAtAnOffsetWhoseIdAnEarlierEventHoldsIsRecordedUnderItsTimestampAndRouted()
    {
        var input = KafkaMockCluster.NewTopicName("recreated-in");
        var group = $"group-{input}";
        kafka.CreateTopic(input, 1);
        await using var silos = await TaskServiceSilos.StartAsync(
            "recreated-topic",
            kafka,
            1,
            settings =>
            {
                settings["TaskService:Kafka:Incoming:Enabled"] = "true";
                settings["TaskService:Kafka:Incoming:Topics:0"] = input;
                settings["TaskService:Kafka:Incoming:GroupId"] = group;
            });
        await silos.DeployCreateTasksWorkflowAsync(input);

        // The topic's earlier life left an event at offset 0, of other content.
        var earlier = new EventRecord
        {
            Id = KafkaEventConverter.EventId(input, 0, 0),
            Key = "earlier-life",
            Payload = JsonElementFactory.Parse("""{"before": true}"""),
            Timestamp = 1_700_000_000_000,
        };
        Assert.Equal(EventRecording.New, await silos.Store.RecordEventAsync(earlier));
        await silos.Store.MarkEventRoutedAsync(earlier.Id);

        var delivered = new List<DeliveryResult<string?, string>>();
        using (var producer = kafka.CreateProducer())
        {
            for (var n = 0; n < 2; n++)
            {
                delivered.Add(await producer.ProduceAsync(new TopicPartition(input, 0), new Message<string?, string> { Value = TaskServiceSilos.CreateOneTask(n) }));
            }
        }

        await Eventually.ReturnsAsync(() => silos.CountAsync(EntityKind.Task), c => c >= 2, Deadline, "both messages create their task");
        await Eventually.ReturnsAsync(() => kafka.CommittedOffsets(group, input, 1)[0], o => o == 2, Deadline, "the partition is committed past both");

        // The message at offset 0 is an event of its own, under the id that adds its timestamp; the earlier event is as it was.
        Assert.Equal(0, delivered[0].Offset.Value);
        var events = await silos.Store.ListAsync(EntityKind.Event, new QueryFilter());
        var recorded = Assert.Single(events, e => e.GetProperty("id").GetString()!.StartsWith(earlier.Id + "@", StringComparison.Ordinal));
        Assert.Equal(KafkaEventConverter.TimestampEventId(earlier.Id, recorded.GetProperty("timestamp").GetInt64()), recorded.GetProperty("id").GetString());
        Assert.Equal(input, recorded.GetProperty("key").GetString());
        var kept = Assert.Single(events, e => e.GetProperty("id").GetString() == earlier.Id);
        Assert.Equal("earlier-life", kept.GetProperty("key").GetString());

        // The message at offset 1 had no earlier event: its id is the offset's.
        Assert.Single(events, e => e.GetProperty("id").GetString() == KafkaEventConverter.EventId(input, 0, 1));
        Assert.Equal(3, events.Count);
        Assert.Equal(2, await silos.CountAsync(EntityKind.Task));
    }
}
