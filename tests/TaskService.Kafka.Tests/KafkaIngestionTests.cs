using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using TaskService.ClientApps;
using TaskService.Connectors.Kafka;
using TaskService.Outgoing;
using TaskService.Webhooks;
using TaskService.Events;
using TaskService.Queries;

namespace TaskService.Kafka.Tests;

[Collection(KafkaCollection.Name)]
public sealed class KafkaIngestionTests(KafkaMockCluster kafka)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(90);

    [Fact]
    public async Task TenThousandMessagesOnFourPartitionsEachStartTheirWorkflowOnceAndPublishOneTaskCreatedEach()
    {
        const int count = 10_000;
        var input = KafkaMockCluster.NewTopicName("orders");
        var output = KafkaMockCluster.NewTopicName("task-events");
        kafka.CreateTopic(input, 4);
        kafka.CreateTopic(output, 2);
        await using var silos = await TaskServiceSilos.StartAsync(nameof(TenThousandMessagesOnFourPartitionsEachStartTheirWorkflowOnceAndPublishOneTaskCreatedEach), kafka, 1, settings =>
        {
            settings["TaskService:Kafka:Incoming:Enabled"] = "true";
            settings["TaskService:Kafka:Incoming:Topics:0"] = input;
            settings["TaskService:Kafka:Incoming:GroupId"] = $"group-{input}";
            settings["TaskService:Kafka:Outgoing:Enabled"] = "true";
            settings["TaskService:Kafka:Outgoing:Topic"] = output;
        });
        await silos.DeployCreateTasksWorkflowAsync(input);
        await using var published = new TopicCollector(kafka, output, 2);

        kafka.ProduceTasks(input, 0, count);

        await Eventually.ReturnsAsync(() => silos.CountAsync(EntityKind.Task), c => c >= count, Deadline, "every message creates its task");
        var taskCreated = await Eventually.ReturnsAsync(
            () => published.Messages,
            m => m.Select(x => x.Header(KafkaHeaders.EventId)).Distinct().Count() >= count,
            Deadline,
            "a task-created event per created task set reaches the output topic");

        Assert.Equal(count, await silos.CountAsync(EntityKind.Event));
        Assert.Equal(count, await silos.CountAsync(EntityKind.WorkflowInstance));
        Assert.Equal(count, await silos.CountAsync(EntityKind.Task));
        Assert.All(taskCreated, m =>
        {
            Assert.Equal(OutgoingEventTypes.TaskCreated, m.Header(KafkaHeaders.EventType));
            using var body = JsonDocument.Parse(m.Value!);
            Assert.Equal(m.Header(KafkaHeaders.EventId), body.RootElement.GetProperty("id").GetString());
            Assert.Equal(1, body.RootElement.GetProperty("payload").GetProperty("createdTasks").GetArrayLength());
            Assert.Equal(body.RootElement.GetProperty("payload").GetProperty("createdTasks")[0].GetProperty("id").GetString(), m.Key);
        });
        Assert.Equal(count, taskCreated.Count);

        // Everything handled is committed: the group's offsets reach the end of every partition.
        await Eventually.ReturnsAsync(() => silos.Receivers.Sum(r => r.Offsets.Next), total => total == count, Deadline, "the committed offsets reach the partitions' ends");
    }

    [Fact]
    public async Task KafkaInAndWebhooksOutInOneConfigurationWorkEndToEnd()
    {
        const int count = 50;
        var input = KafkaMockCluster.NewTopicName("hooks-in");
        kafka.CreateTopic(input, 2);
        await using var silos = await TaskServiceSilos.StartAsync("kafka-in-webhooks-out", kafka, 1, settings =>
        {
            settings["TaskService:Kafka:Incoming:Enabled"] = "true";
            settings["TaskService:Kafka:Incoming:Topics:0"] = input;
            settings["TaskService:Kafka:Incoming:GroupId"] = $"group-{input}";
        });
        await silos.DeployCreateTasksWorkflowAsync(input);
        var appId = Guid.NewGuid().ToString();
        var app = (await silos.Grains.GetGrain<IClientAppGrain>(appId).CreateAsync("kafka-webhooks")).OrThrow();
        await using var receiver = await WebhookReceiver.StartAsync(app.ApiSecret);
        (await silos.Grains.GetGrain<IWebhookSubscriptionGrain>(Guid.NewGuid().ToString()).CreateAsync(receiver.Url("/hook"), OutgoingEventTypes.TaskCreated, app.Id)).OrThrow();

        kafka.ProduceTasks(input, 0, count);

        var deliveries = await Eventually.ReturnsAsync(
            receiver.ReceivedAsync,
            d => d.Select(x => x.EventId).Distinct().Count() >= count,
            Deadline,
            "every task-created event reaches the webhook");
        Assert.All(deliveries, d =>
        {
            Assert.True(d.Valid, "signed with the subscription's client app secret");
            Assert.Equal(OutgoingEventTypes.TaskCreated, d.Key);
            Assert.Equal("kafka-task", d.Payload.GetProperty("createdTasks")[0].GetProperty("key").GetString());
        });
        Assert.Equal(count, await silos.CountAsync(EntityKind.Task));

        // Outgoing Kafka is off: webhooks are the only outgoing connector.
        var connectors = silos.Cluster.Silos[0].ServiceProvider.GetServices<IOutgoingConnector>().Select(c => c.Name);
        Assert.Equal(["webhooks"], connectors);
    }

    [Fact]
    public async Task HttpStyleIngressAndKafkaOutPublishTheWebhookBodyWithIdAndTypeHeaders()
    {
        var output = KafkaMockCluster.NewTopicName("http-out");
        kafka.CreateTopic(output, 1);
        await using var silos = await TaskServiceSilos.StartAsync("http-in-kafka-out", kafka, 1, settings =>
        {
            settings["TaskService:Kafka:Outgoing:Enabled"] = "true";
            settings["TaskService:Kafka:Outgoing:Topic"] = output;
            settings["TaskService:Kafka:Outgoing:MessageKey"] = "EventKey";
        });
        var eventKey = $"http.{Guid.NewGuid():N}";
        await silos.DeployCreateTasksWorkflowAsync(eventKey);
        await using var published = new TopicCollector(kafka, output, 1);

        // The entry point POST /events/trigger uses; no incoming Kafka is configured.
        await silos.Grains.GetGrain<IEventIngressGrain>(0).PublishAsync(new EventRecord
        {
            Id = Guid.NewGuid().ToString(),
            Key = eventKey,
            Payload = Serialization.JsonElementFactory.Parse(TaskServiceSilos.CreateOneTask(1)),
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        });

        var message = (await Eventually.ReturnsAsync(() => published.Messages, m => m.Count >= 1, Deadline, "task-created reaches the output topic"))[0];
        Assert.Equal(OutgoingEventTypes.TaskCreated, message.Key);
        Assert.Equal(OutgoingEventTypes.TaskCreated, message.Header(KafkaHeaders.EventType));
        Assert.Equal("application/json", message.Header(KafkaHeaders.ContentType));
        using var body = JsonDocument.Parse(message.Value!);
        Assert.Equal(["id", "key", "payload", "timestamp", "source"], body.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(message.Header(KafkaHeaders.EventId), body.RootElement.GetProperty("id").GetString());
        Assert.Equal(OutgoingEventTypes.Source, body.RootElement.GetProperty("source").GetString());

        // Byte for byte the webhook body of the same event.
        var sent = new OutgoingEvent
        {
            Id = body.RootElement.GetProperty("id").GetString()!,
            Key = OutgoingEventTypes.TaskCreated,
            Payload = body.RootElement.GetProperty("payload").Clone(),
            Timestamp = body.RootElement.GetProperty("timestamp").GetInt64(),
        };
        Assert.Equal(System.Text.Encoding.UTF8.GetString(WebhookSender.CreateBody(sent)), message.Value);
        Assert.Empty(silos.Receivers); // no incoming Kafka: no kafka stream provider
    }
}
