using Confluent.Kafka;
using TaskService.Connectors.Kafka;
using TaskService.Queries;

namespace TaskService.Kafka.Tests;

[Collection(KafkaCollection.Name)]
public sealed class KafkaResilienceTests(KafkaMockCluster kafka)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task RestartingTheSiloMidStreamResumesFromTheCommittedOffsetsWithNoMessageLostAndNoTaskCreatedTwice()
    {
        const int firstBatch = 3000, total = 4000;
        var (input, output, group) = Topics(4);
        await using var silos = await TaskServiceSilos.StartAsync("restart", kafka, 1, settings => Configure(settings, input, output, group));
        await silos.DeployCreateTasksWorkflowAsync(input);
        await using var published = new TopicCollector(kafka, output, 1);

        kafka.ProduceTasks(input, 0, firstBatch);
        await Eventually.ReturnsAsync(() => silos.CountAsync(EntityKind.Task), c => c >= 300, Deadline, "the stream is under way");

        // A partition's offset moves only over a handled prefix: when a partition's first message is still being delivered (its
        // router retrying on a loaded machine), that partition has nothing to commit however many tasks its other messages made.
        // The stop below must come after some partition handled a prefix, or there is no committed progress to check.
        await Eventually.ReturnsAsync(
            () => TaskServiceSilos.ReceiversOf(silos.Cluster.Silos[0]).Select(r => r.Offsets.Next).DefaultIfEmpty(-1).Max(),
            next => next > 0,
            Deadline,
            "some partition handled a prefix of its messages");

        var stopped = TaskServiceSilos.ReceiversOf(silos.Cluster.Silos[0]).OrderBy(r => r.Partition.Partition.Value).ToArray();
        await silos.Cluster.StopSiloAsync(silos.Cluster.Silos[0]);

        // Each partition committed exactly what it had handled (delivered to the event router) when it stopped: a partition whose
        // first messages were still on their way committed nothing, and its next owner reads it from the start.
        var committed = kafka.CommittedOffsets(group, input, 4);
        Assert.Equal(4, stopped.Length);
        Assert.True(
            stopped.Select(r => r.Offsets.Next < 0 ? Offset.Unset.Value : r.Offsets.Next).SequenceEqual(committed),
            $"committed {string.Join(", ", committed)}; receivers at stop "
            + string.Join(", ", stopped.Select(r => $"{r.Partition.Partition.Value}: first read {r.Offsets.FirstRead}, next {r.Offsets.Next}, pending {r.Offsets.PendingCount}")));
        Assert.True(committed.Any(o => o > 0), "the stream was under way: some partition committed handled messages");

        var restarted = await silos.Cluster.StartAdditionalSiloAsync();
        kafka.ProduceTasks(input, firstBatch, total);
        await Eventually.ReturnsAsync(() => silos.CountAsync(EntityKind.Task), c => c >= total, Deadline, "every message creates its task after the restart");
        await Eventually.ReturnsAsync(() => DistinctEventIds(published), c => c >= total, Deadline, "every task-created event is published");

        // The restarted silo started each partition exactly at the offset committed at shut-down: nothing skipped, nothing redone.
        var receivers = TaskServiceSilos.ReceiversOf(restarted).OrderBy(r => r.Partition.Partition.Value).ToArray();
        Assert.Equal(4, receivers.Length);
        Assert.Equal(committed.Select(o => Math.Max(o, 0)), receivers.Select(r => r.Offsets.FirstRead));
        Assert.Equal(total, await silos.CountAsync(EntityKind.Event));
        Assert.Equal(total, await silos.CountAsync(EntityKind.WorkflowInstance));
        Assert.Equal(total, await silos.CountAsync(EntityKind.Task));
        Assert.Equal(total, DistinctEventIds(published));
    }

    [Fact]
    public async Task TwoSilosSharePartitionsAndStoppingOneMovesItsPartitionsToTheOtherWithoutLoss()
    {
        const int firstBatch = 3000, total = 4000;
        var (input, output, group) = Topics(4);
        await using var silos = await TaskServiceSilos.StartAsync("two-silos", kafka, 2, settings =>
        {
            Configure(settings, input, output, group);
            settings["TaskService:Kafka:Incoming:CacheSize"] = "64"; // far fewer than a partition's messages: reading pauses and resumes
        });
        await silos.DeployCreateTasksWorkflowAsync(input);
        await using var published = new TopicCollector(kafka, output, 1);
        var (first, second) = (silos.Cluster.Silos[0], silos.Cluster.Silos[1]);

        await Eventually.ReturnsAsync(
            () => (First: TaskServiceSilos.ReceiversOf(first).Count, Second: TaskServiceSilos.ReceiversOf(second).Count),
            c => c is { First: 2, Second: 2 },
            Deadline,
            "each silo reads two of the four partitions");

        kafka.ProduceTasks(input, 0, firstBatch);
        await Eventually.ReturnsAsync(() => silos.CountAsync(EntityKind.Task), c => c >= 300, Deadline, "the stream is under way");
        await silos.Cluster.StopSiloAsync(second);
        await Eventually.ReturnsAsync(() => TaskServiceSilos.ReceiversOf(first).Count, c => c == 4, Deadline, "the remaining silo takes over every partition");

        kafka.ProduceTasks(input, firstBatch, total);
        await Eventually.ReturnsAsync(() => silos.CountAsync(EntityKind.Task), c => c >= total, Deadline, "every message creates its task");
        await Eventually.ReturnsAsync(() => DistinctEventIds(published), c => c >= total, Deadline, "every task-created event is published");

        Assert.Equal(total, await silos.CountAsync(EntityKind.Event));
        Assert.Equal(total, await silos.CountAsync(EntityKind.WorkflowInstance));
        Assert.Equal(total, await silos.CountAsync(EntityKind.Task));
        await Eventually.ReturnsAsync(
            () => kafka.CommittedOffsets(group, input, 4).Sum(),
            sum => sum == total,
            Deadline,
            "the committed offsets reach the end of every partition");
    }

    [Fact]
    public async Task WhenTheBrokerGoesDownAndComesBackIngestionAndPublishingRecoverByThemselvesWithNothingLost()
    {
        const int firstBatch = 1000, total = 2000;
        var (input, output, group) = Topics(2);
        await using var silos = await TaskServiceSilos.StartAsync("broker-down", kafka, 1, settings => Configure(settings, input, output, group));
        await silos.DeployCreateTasksWorkflowAsync(input);
        await using var published = new TopicCollector(kafka, output, 1);

        kafka.ProduceTasks(input, 0, firstBatch);
        await Eventually.ReturnsAsync(() => DistinctEventIds(published), c => c >= 100, Deadline, "events flow in and out");

        kafka.TakeBrokersDown();
        try
        {
            // Messages produced during the outage wait in the producer; what the silo had read is handled, then ingestion waits.
            using var producer = kafka.CreateProducer();
            for (var n = firstBatch; n < total; n++)
            {
                producer.Produce(input, new Confluent.Kafka.Message<string?, string> { Key = $"order-{n}", Value = TaskServiceSilos.CreateOneTask(n) });
            }

            await Eventually.ReturnsAsync(
                () => silos.Receivers.Select(r => (r.Offsets.PendingCount, r.Offsets.Next)).ToArray(),
                states => states.All(s => s.PendingCount == 0) && states.Sum(s => s.Next) < total,
                Deadline,
                "during the outage the silo handles what it had read and reads nothing new");
            kafka.BringBrokersUp();
            Assert.Equal(0, producer.Flush(TimeSpan.FromSeconds(60)));
        }
        finally
        {
            kafka.BringBrokersUp();
        }

        await Eventually.ReturnsAsync(() => silos.CountAsync(EntityKind.Task), c => c >= total, Deadline, "ingestion recovers by itself");
        await Eventually.ReturnsAsync(() => DistinctEventIds(published), c => c >= total, Deadline, "publishing recovers by itself");
        Assert.Equal(total, await silos.CountAsync(EntityKind.Event));
        Assert.Equal(total, await silos.CountAsync(EntityKind.Task));
        Assert.All(published.Messages, m => Assert.Equal("task-created", m.Header(KafkaHeaders.EventType)));
    }

    private (string Input, string Output, string Group) Topics(int partitions)
    {
        var input = KafkaMockCluster.NewTopicName("in");
        var output = KafkaMockCluster.NewTopicName("out");
        kafka.CreateTopic(input, partitions);
        kafka.CreateTopic(output, 1);
        return (input, output, $"group-{input}");
    }

    private static void Configure(Dictionary<string, string?> settings, string input, string output, string group)
    {
        settings["TaskService:Kafka:Incoming:Enabled"] = "true";
        settings["TaskService:Kafka:Incoming:Topics:0"] = input;
        settings["TaskService:Kafka:Incoming:GroupId"] = group;
        settings["TaskService:Kafka:Outgoing:Enabled"] = "true";
        settings["TaskService:Kafka:Outgoing:Topic"] = output;
    }

    private static int DistinctEventIds(TopicCollector collector) =>
        collector.Messages.Select(m => m.Header(KafkaHeaders.EventId)).Distinct().Count();
}
