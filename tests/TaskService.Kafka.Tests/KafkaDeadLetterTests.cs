using System.Text.Json;
using TaskService.Connectors.Kafka;
using TaskService.Queries;

namespace TaskService.Kafka.Tests;

[Collection(KafkaCollection.Name)]
public sealed class KafkaDeadLetterTests(KafkaMockCluster kafka)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task BrokenMessagesFromAnIndependentProducerGoToTheDeadLetterTopicWithErrorAndOriginAndTheMessagesBehindThemAreHandled()
    {
        var input = KafkaMockCluster.NewTopicName("kcat-in");
        var deadLetters = KafkaMockCluster.NewTopicName("dead");
        var group = $"group-{input}";
        kafka.CreateTopic(input, 1);
        kafka.CreateTopic(deadLetters, 1);
        await using var silos = await TaskServiceSilos.StartAsync(
            "dead-letters",
            kafka,
            1,
            settings =>
            {
                settings["TaskService:Kafka:Incoming:Enabled"] = "true";
                settings["TaskService:Kafka:Incoming:Topics:0"] = input;
                settings["TaskService:Kafka:Incoming:GroupId"] = group;
                settings["TaskService:Kafka:Incoming:DeadLetterTopic"] = deadLetters;
            },
            PoisonStore.Wrap);
        await silos.DeployCreateTasksWorkflowAsync(input);
        await using var deadLettered = new TopicCollector(kafka, deadLetters, 1);

        const string notJson = "this is {not json";
        var poison = TestEvent.Message().With("poison", true).CreatingTask("kafka-task", "Never").PayloadJson;
        string[] lines =
        [
            TaskServiceSilos.CreateOneTask(0),
            notJson, // offset 1: cannot become an event
            TaskServiceSilos.CreateOneTask(2),
            poison, // offset 3: every delivery to the event router fails
            .. Enumerable.Range(4, 6).Select(TaskServiceSilos.CreateOneTask),
            """{"amount":1e999999}""", // offset 10: a number no store keeps
            "{\"pad\":\"" + new string('p', 300_000) + "\"}", // offset 11: over TaskService:Limits:MaxEventPayloadBytes
            TaskServiceSilos.CreateOneTask(12),
        ];
        await Kcat.ProduceLinesAsync(kafka.BootstrapServers, input, 0, lines);

        await Eventually.ReturnsAsync(() => silos.CountAsync(EntityKind.Task), c => c >= 9, Deadline, "the valid messages, also those behind the broken ones, create their tasks");
        var letters = await Eventually.ReturnsAsync(() => deadLettered.Messages, m => m.Count >= 4, Deadline, "every broken message is dead-lettered");
        await Eventually.ReturnsAsync(() => kafka.CommittedOffsets(group, input, 1)[0], o => o == lines.Length, Deadline, "the partition is committed past every message");

        Assert.Equal(9, await silos.CountAsync(EntityKind.Task));
        Assert.Equal(4, letters.Count);
        var invalid = Assert.Single(letters, l => l.Header(KafkaHeaders.OriginOffset) == "1");
        Assert.Equal(notJson, invalid.Value);
        Assert.Equal(KafkaHeaders.ReasonInvalidMessage, invalid.Header(KafkaHeaders.DeadLetterReason));
        Assert.Contains("not valid JSON", invalid.Header(KafkaHeaders.DeadLetterError));
        Assert.Equal(input, invalid.Header(KafkaHeaders.OriginTopic));
        Assert.Equal("0", invalid.Header(KafkaHeaders.OriginPartition));
        Assert.Equal(group, invalid.Header(KafkaHeaders.OriginGroup));

        Assert.Contains("number", Assert.Single(letters, l => l.Header(KafkaHeaders.OriginOffset) == "10").Header(KafkaHeaders.DeadLetterError));
        var oversized = Assert.Single(letters, l => l.Header(KafkaHeaders.OriginOffset) == "11");
        Assert.Equal(KafkaHeaders.ReasonInvalidMessage, oversized.Header(KafkaHeaders.DeadLetterReason));
        Assert.Contains("MaxEventPayloadBytes", oversized.Header(KafkaHeaders.DeadLetterError));

        var failed = Assert.Single(letters, l => l.Header(KafkaHeaders.OriginOffset) == "3");
        Assert.Equal(poison, failed.Value);
        Assert.Equal(KafkaHeaders.ReasonDeliveryFailed, failed.Header(KafkaHeaders.DeadLetterReason));
        Assert.Contains("kept failing", failed.Header(KafkaHeaders.DeadLetterError));
        Assert.Equal(input, failed.Header(KafkaHeaders.OriginTopic));

        // The ids of the handled events name their origin, so a redelivered message records one event.
        var events = await silos.Store.ListAsync(EntityKind.Event, QueryFilter.Empty);
        Assert.Equal(
            new[] { 0, 2, 4, 5, 6, 7, 8, 9, 12 }.Select(o => KafkaEventConverter.EventId(input, 0, o)).Order(),
            events.Select(e => e.GetProperty("id").GetString()).Order());
        Assert.All(events, e => Assert.Equal(JsonValueKind.Object, e.GetProperty("payload").ValueKind));
    }
}
