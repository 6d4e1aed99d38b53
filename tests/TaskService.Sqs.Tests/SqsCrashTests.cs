using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Amazon.SQS.Model;
using TaskService.Connectors.Sqs;
using TaskService.Events;
using TaskService.Testing.Durability;
using Xunit.Abstractions;

namespace TaskService.Sqs.Tests;

/// <summary>
/// A silo process on PostgreSQL is SIGKILLed while it consumes an SQS queue and is started again: every message still makes
/// exactly one task, and every task leaves exactly one task-created message on the outgoing (FIFO) queue.
/// </summary>
public sealed class SqsCrashTests(ITestOutputHelper output)
{
    // Enough that the silo is still consuming when it is killed after the first 30 tasks: 300 were all done by then once.
    private const int MessageCount = 1000;
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(120);

    [Fact]
    public async Task ASiloKilledWhileConsumingAndRestartedLeavesEveryMessageOneTaskAndEveryTaskOneOutgoingMessage()
    {
        using var sqs = SqsServer.Client();
        var input = await SqsServer.CreateQueueAsync(sqs, "crash-in");
        var outgoing = await SqsServer.CreateQueueAsync(sqs, "crash-out", fifo: true);
        await using var service = await DurableService.CreateAsync("sqs_crash");
        var settings = new Dictionary<string, string>
        {
            ["AWS_ACCESS_KEY_ID"] = "test",
            ["AWS_SECRET_ACCESS_KEY"] = "test",
            ["TaskService__Sqs__ServiceUrl"] = SqsServer.Url,
            ["TaskService__Sqs__Region"] = SqsServer.Region,
            ["TaskService__Sqs__Incoming__Enabled"] = "true",
            ["TaskService__Sqs__Incoming__Queues__0"] = input.Name,
            ["TaskService__Sqs__Incoming__ReceiversPerQueue"] = "2",
            ["TaskService__Sqs__Incoming__WaitTime"] = "00:00:01",
            ["TaskService__Sqs__Incoming__VisibilityTimeout"] = "00:00:03",
            ["TaskService__Sqs__Outgoing__Enabled"] = "true",
            ["TaskService__Sqs__Outgoing__Queue"] = outgoing.Name,
        };
        var ports = DurableService.NewSiloPorts();
        var silo = await service.StartSiloAsync("silo", ports, settings);
        using (var api = service.Client(silo))
        {
            var (bpmn, processId) = ParentWorkflow();
            await api.SendJsonAsync("POST", "/workflows", new { name = "sqs-crash", bpmnFile = bpmn, inputSchema = new { type = "object" } })
                .ExpectAsync(HttpStatusCode.Created);
            await api.SendJsonAsync("POST", "/events/mapping", new { eventKey = input.Name, workflowKey = processId }).ExpectAsync(HttpStatusCode.Created);
        }

        var run = Guid.NewGuid().ToString("N")[..8];
        var clock = Stopwatch.StartNew();
        for (var start = 0; start < MessageCount; start += 10)
        {
            var response = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest
            {
                QueueUrl = input.Url,
                Entries = Enumerable.Range(start, 10).Select(n => new SendMessageBatchRequestEntry
                {
                    Id = $"m{n}",
                    MessageBody = TestEvent.Message().With("n", n).CreatingTask($"task-{run}-{n}", $"Task {n}").PayloadJson,
                }).ToList(),
            });
            Assert.Empty(response.Failed ?? []);
        }

        // Killed while consuming: some tasks exist, most messages are still to come.
        var before = await Eventually.ReturnsAsync(() => TaskCountAsync(service, run), n => n >= 30, Deadline, "the silo is consuming");
        await silo.KillAsync();
        var atKill = await TaskCountAsync(service, run);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: silo killed with {atKill} of {MessageCount} tasks created");
        Assert.True(atKill < MessageCount, "The crash comes while messages are still being consumed.");

        silo = await service.StartSiloAsync("silo (restarted)", ports, settings);
        await Eventually.ReturnsAsync(() => TaskCountAsync(service, run), n => n >= MessageCount, Deadline, "every message creates its task after the restart");
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: all {MessageCount} tasks created ({before} before the kill was noticed)");

        // Every message is one event, recorded once under its SQS identity, and exactly one task.
        Assert.Equal((long)MessageCount, await Sql.ScalarAsync<long>(service.ConnectionString, "SELECT count(*) FROM main.events WHERE id LIKE $1", $"sqs:{input.Name}:%"));
        var taskCounts = await Sql.RowsAsync(service.ConnectionString, "SELECT \"key\", count(*) FROM main.tasks WHERE \"key\" LIKE $1 GROUP BY \"key\"", $"task-{run}-%");
        Assert.Equal(MessageCount, taskCounts.Count);
        Assert.All(taskCounts, r => Assert.True((long)r[1]! == 1, $"Task {r[0]} exists {r[1]} times."));

        // Every task leaves exactly one task-created message, however often the outbox handed its event over.
        var published = await SqsServer.DrainAsync(sqs, outgoing.Url, MessageCount, Deadline);
        var extra = await SqsServer.DrainAsync(sqs, outgoing.Url, 1, TimeSpan.FromSeconds(3));
        var taskIds = (await Sql.RowsAsync(service.ConnectionString, "SELECT id FROM main.tasks WHERE \"key\" LIKE $1", $"task-{run}-%")).Select(r => r[0]!.ToString()).Order();
        var publishedTaskIds = published.Concat(extra)
            .Where(m => m.MessageAttributes[SqsAttributes.EventType].StringValue == OutgoingEventTypes.TaskCreated)
            .Select(m => CreatedTaskId(m.Body))
            .Order();
        Assert.Equal(taskIds, publishedTaskIds);
        output.WriteLine($"{clock.Elapsed.TotalSeconds:F1} s: {published.Count + extra.Count} task-created messages, one per task");

        // Nothing is left in the incoming queue.
        var left = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = input.Url, AttributeNames = ["All"] });
        Assert.Equal(0, left.ApproximateNumberOfMessages + left.ApproximateNumberOfMessagesNotVisible);
    }

    private static Task<long> TaskCountAsync(DurableService service, string run) =>
        Sql.ScalarAsync<long>(service.ConnectionString, "SELECT count(*) FROM main.tasks WHERE \"key\" LIKE $1", $"task-{run}-%");

    private static string? CreatedTaskId(string body)
    {
        using var document = JsonDocument.Parse(body);
        return document.RootElement.GetProperty("payload").GetProperty("createdTasks")[0].GetProperty("id").GetString();
    }

    /// <summary>The parent sample (start, <c>create-tasks</c> with the variable <c>tasks</c>, end) under a fresh process id.</summary>
    private static (string Bpmn, string ProcessId) ParentWorkflow()
    {
        var bpmn = File.ReadAllText(RepositoryRoot.File("samples", "bpmn", "parent.bpmn"));
        var fresh = $"parent-process-{Guid.NewGuid():N}";
        return (bpmn.Replace("\"parent-process\"", $"\"{fresh}\"", StringComparison.Ordinal), fresh);
    }
}
