using System.Reflection;
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
        await using var silos = await StartReadingAsync("recreated-topic", input, group);

        // The topic's earlier life left an event at offset 0, of other content.
        var earlier = await RecordEarlierLifeAsync(silos, KafkaEventConverter.EventId(input, 0, 0));

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

    [Fact]
    public async Task AMessageWhoseRecordingFailedAtTheConnectorIsRecordedUnderItsTimestampByTheEventRouterToo()
    {
        var input = KafkaMockCluster.NewTopicName("recreated-retry-in");
        var group = $"group-{input}";
        kafka.CreateTopic(input, 1);
        var offsetId = KafkaEventConverter.EventId(input, 0, 0);
        FirstRecordingFails failing = null!;
        await using var silos = await StartReadingAsync("recreated-topic-retry", input, group, store => FirstRecordingFails.Wrap(store, offsetId, out failing));

        // The topic's earlier life left an event at offset 0, of other content.
        await RecordEarlierLifeAsync(silos, offsetId);
        failing.Arm();

        using (var producer = kafka.CreateProducer())
        {
            await producer.ProduceAsync(new TopicPartition(input, 0), new Message<string?, string> { Value = TaskServiceSilos.CreateOneTask(0) });
        }

        // The connector's recording of the read failed, so the event went over unrecorded; the event router met the earlier
        // event under the offset id and recorded the message under the id with its timestamp, and routed it.
        await Eventually.ReturnsAsync(() => silos.CountAsync(EntityKind.Task), c => c >= 1, Deadline, "the message creates its task");
        await Eventually.ReturnsAsync(() => kafka.CommittedOffsets(group, input, 1)[0], o => o == 1, Deadline, "the partition is committed past it");
        Assert.True(failing.Failed, "the connector's recording failed");
        var events = await silos.Store.ListAsync(EntityKind.Event, new QueryFilter());
        var recorded = Assert.Single(events, e => e.GetProperty("id").GetString()!.StartsWith(offsetId + "@", StringComparison.Ordinal));
        Assert.Equal(KafkaEventConverter.TimestampEventId(offsetId, recorded.GetProperty("timestamp").GetInt64()), recorded.GetProperty("id").GetString());
        Assert.Equal(input, recorded.GetProperty("key").GetString());
        Assert.Equal("earlier-life", Assert.Single(events, e => e.GetProperty("id").GetString() == offsetId).GetProperty("key").GetString());
        Assert.Equal(2, events.Count);
        Assert.Equal(1, await silos.CountAsync(EntityKind.Task));
    }

    /// <summary>One silo reading <paramref name="input"/> as <paramref name="group"/>, whose events run the create-tasks workflow.</summary>
    private async Task<TaskServiceSilos> StartReadingAsync(string name, string input, string group, Func<ITaskServiceStore, ITaskServiceStore>? decorateStore = null)
    {
        var silos = await TaskServiceSilos.StartAsync(
            name,
            kafka,
            1,
            settings =>
            {
                settings["TaskService:Kafka:Incoming:Enabled"] = "true";
                settings["TaskService:Kafka:Incoming:Topics:0"] = input;
                settings["TaskService:Kafka:Incoming:GroupId"] = group;
            },
            decorateStore);
        try
        {
            await silos.DeployCreateTasksWorkflowAsync(input);
            return silos;
        }
        catch
        {
            await silos.DisposeAsync();
            throw;
        }
    }

    /// <summary>Records, under <paramref name="id"/>, a routed event of other content than any message: one of the topic's earlier life.</summary>
    private static async Task<EventRecord> RecordEarlierLifeAsync(TaskServiceSilos silos, string id)
    {
        var earlier = new EventRecord
        {
            Id = id,
            Key = "earlier-life",
            Payload = JsonElementFactory.Parse("""{"before": true}"""),
            Timestamp = 1_700_000_000_000,
        };
        Assert.Equal(EventRecording.New, await silos.Store.RecordEventAsync(earlier));
        await silos.Store.MarkEventRoutedAsync(earlier.Id);
        return earlier;
    }

    /// <summary>A store whose first recording of one event id, once armed, fails as a store error would.</summary>
    public class FirstRecordingFails : DispatchProxy
    {
        private ITaskServiceStore _inner = null!;
        private string _id = "";
        private int _armed;
        private int _failed;

        public bool Failed => Volatile.Read(ref _failed) == 1;

        public static ITaskServiceStore Wrap(ITaskServiceStore inner, string id, out FirstRecordingFails failing)
        {
            var proxy = Create<ITaskServiceStore, FirstRecordingFails>();
            failing = (FirstRecordingFails)(object)proxy;
            failing._inner = inner;
            failing._id = id;
            return proxy;
        }

        public void Arm() => Volatile.Write(ref _armed, 1);

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            if (targetMethod?.Name == nameof(ITaskServiceStore.RecordEventAsync) && args?[0] is EventRecord record && record.Id == _id
                && Volatile.Read(ref _armed) == 1 && Interlocked.Exchange(ref _failed, 1) == 0)
            {
                return Task.FromException<EventRecording>(new InvalidOperationException($"The store is unavailable for event {record.Id}."));
            }

            try
            {
                return targetMethod!.Invoke(_inner, args);
            }
            catch (TargetInvocationException exception) when (exception.InnerException is not null)
            {
                throw exception.InnerException;
            }
        }
    }
}
