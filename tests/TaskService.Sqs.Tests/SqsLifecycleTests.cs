using System.Diagnostics;
using System.Text.Json;
using Amazon.SQS.Model;
using TaskService.Events;
using TaskService.Queries;
using Xunit.Abstractions;

namespace TaskService.Sqs.Tests;

/// <summary>Messages in an SQS queue start workflows; their tasks' lifecycle events leave through an SQS queue.</summary>
public sealed class SqsLifecycleTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task MessagesStartTheirWorkflowOnceAndEachTaskCreatedLeavesThroughTheFifoOutgoingQueueGroupedByTask()
    {
        using var sqs = SqsServer.Client();
        var input = await SqsServer.CreateQueueAsync(sqs, "in");
        var outgoing = await SqsServer.CreateQueueAsync(sqs, "out", fifo: true);
        await using var silo = await TaskServiceSilo.StartAsync(nameof(SqsLifecycleTests), new()
        {
            ["TaskService:Sqs:Incoming:Enabled"] = "true",
            ["TaskService:Sqs:Incoming:Queues:0"] = input.Name,
            ["TaskService:Sqs:Incoming:ReceiversPerQueue"] = "4",
            ["TaskService:Sqs:Outgoing:Enabled"] = "true",
            ["TaskService:Sqs:Outgoing:Queue"] = outgoing.Url,
        });
        await silo.DeployCreateTasksWorkflowAsync(input.Name);

        const int Count = 1000;
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < Count; start += 10)
        {
            var response = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest
            {
                QueueUrl = input.Url,
                Entries = Enumerable.Range(start, 10).Select(n => new SendMessageBatchRequestEntry { Id = $"m{n}", MessageBody = TaskServiceSilo.CreateOneTask(n) }).ToList(),
            });
            Assert.Empty(response.Failed ?? []);
        }

        var sentAt = clock.Elapsed;
        await Eventually.ReturnsAsync(() => silo.CountAsync(EntityKind.Task), n => n >= Count, Deadline, "every message creates its task");
        var tasksAt = clock.Elapsed;
        var published = await SqsServer.DrainAsync(sqs, outgoing.Url, Count, Deadline);
        output.WriteLine($"sent in {sentAt.TotalSeconds:F1} s");
        output.WriteLine($"{Count} messages sent, recorded and turned into tasks in {tasksAt.TotalSeconds:F1} s ({Count / tasksAt.TotalSeconds:F0}/s); " +
            $"all their task-created messages received from the outgoing queue after {clock.Elapsed.TotalSeconds:F1} s ({Count / clock.Elapsed.TotalSeconds:F0}/s end to end)");

        Assert.Equal(Count, await silo.CountAsync(EntityKind.Task));
        Assert.Equal(Count, await silo.CountAsync(EntityKind.Event));
        Assert.Equal(Count, published.Count);
        Assert.Equal(Count, published.Select(m => m.MessageAttributes[SqsAttributesOf.EventId].StringValue).Distinct().Count());
        foreach (var message in published)
        {
            Assert.Equal(OutgoingEventTypes.TaskCreated, message.MessageAttributes[SqsAttributesOf.EventType].StringValue);
            using var body = JsonDocument.Parse(message.Body);
            Assert.Equal(OutgoingEventTypes.TaskCreated, body.RootElement.GetProperty("key").GetString());
            Assert.Equal(message.MessageAttributes[SqsAttributesOf.EventId].StringValue, body.RootElement.GetProperty("id").GetString());

            // FIFO: the group is the created task's id, the deduplication id the event id.
            var taskId = body.RootElement.GetProperty("payload").GetProperty("createdTasks")[0].GetProperty("id").GetString();
            Assert.Equal(taskId, message.Attributes["MessageGroupId"]);
            Assert.Equal(message.MessageAttributes[SqsAttributesOf.EventId].StringValue, message.Attributes["MessageDeduplicationId"]);
        }

        // Every message was deleted once recorded: nothing is left in the incoming queue.
        var attributes = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = input.Url, AttributeNames = ["All"] });
        Assert.Equal(0, attributes.ApproximateNumberOfMessages + attributes.ApproximateNumberOfMessagesNotVisible);

        // The recorded events carry the SQS identity: a redelivered message would record nothing new.
        Assert.All(silo.Sink!.Recorded, e => Assert.StartsWith($"sqs:{input.Name}:", e.Id));
    }
}
