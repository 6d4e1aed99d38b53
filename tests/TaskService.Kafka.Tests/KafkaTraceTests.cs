using System.Diagnostics;
using System.Text;
using Confluent.Kafka;
using OpenTelemetry;
using OpenTelemetry.Trace;
using TaskService.Common;
using TaskService.Connectors.Kafka;
using TaskService.Events;

namespace TaskService.Kafka.Tests;

/// <summary>
/// A Kafka message carrying a W3C <c>traceparent</c> header continues that trace: the routing, workflow instance and task spans
/// belong to it (read with OpenTelemetry's in-memory exporter), and the task-created message the event causes carries a
/// <c>traceparent</c> of the same trace.
/// </summary>
[Collection(KafkaCollection.Name)]
public sealed class KafkaTraceTests(KafkaMockCluster kafka)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task AMessagesTraceparentIsContinuedThroughRoutingTheInstanceAndTheTaskIntoTheTaskCreatedMessage()
    {
        var spans = new ExportedSpans();
        using var tracing = Sdk.CreateTracerProviderBuilder()
            .AddSource(TaskServiceTelemetry.ActivitySourceName, "Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application")
            .AddInMemoryExporter(spans)
            .Build();
        var input = KafkaMockCluster.NewTopicName("traced-in");
        var output = KafkaMockCluster.NewTopicName("traced-out");
        kafka.CreateTopic(input, 1);
        kafka.CreateTopic(output, 1);
        await using var silos = await TaskServiceSilos.StartAsync(
            "kafka-traceparent",
            kafka,
            1,
            settings =>
            {
                settings["TaskService:Kafka:Incoming:Enabled"] = "true";
                settings["TaskService:Kafka:Incoming:Topics:0"] = input;
                settings["TaskService:Kafka:Incoming:GroupId"] = $"group-{input}";
                settings["TaskService:Kafka:Outgoing:Enabled"] = "true";
                settings["TaskService:Kafka:Outgoing:Topic"] = output;
            },
            configureSilo: silo => silo.AddActivityPropagation());
        await silos.DeployCreateTasksWorkflowAsync(input);
        await using var published = new TopicCollector(kafka, output, 1);

        var traceId = ActivityTraceId.CreateRandom();
        using (var producer = kafka.CreateProducer())
        {
            await producer.ProduceAsync(input, new Message<string?, string>
            {
                Key = "traced-order",
                Value = TaskServiceSilos.CreateOneTask(1),
                Headers = new Headers { { "traceparent", Encoding.UTF8.GetBytes($"00-{traceId}-{ActivitySpanId.CreateRandom()}-01") } },
            });
        }

        var message = (await Eventually.ReturnsAsync(() => published.Messages, m => m.Count >= 1, Deadline, "task-created reaches the output topic"))[0];
        Assert.Equal(OutgoingEventTypes.TaskCreated, message.Header(KafkaHeaders.EventType));
        var traceParent = message.Header("traceparent");
        Assert.True(
            traceParent is not null && traceParent.Split('-') is [_, var trace, _, _] && trace == traceId.ToHexString(),
            $"the task-created message's traceparent '{traceParent}' continues trace {traceId}");

        // Spans are exported as they end; the routing span may end after the message went out.
        var names = await Eventually.ReturnsAsync(
            () => Task.FromResult(spans.Where(s => s.TraceId == traceId).Select(s => s.DisplayName).ToList()),
            n => n.Contains("route event") && n.Contains("start workflow instance") && n.Contains("run command create-tasks") && n.Contains("create task"),
            TimeSpan.FromSeconds(10),
            "the spans of the message's trace are exported");
        Assert.Contains("route event", names);
        Assert.Contains("run command create-tasks", names);
        Assert.Contains("start workflow instance", names);
        Assert.Contains("create task", names);
    }
}
