using Amazon.SQS.Model;
using TaskService.Queries;

namespace TaskService.Sqs.Tests;

/// <summary>Messages of one FIFO group are recorded in the order they were sent, whatever the other groups do.</summary>
public sealed class SqsFifoTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task EachGroupIsRecordedInItsOrderWithSeveralReceiversAndBatchesOfOneGroup()
    {
        using var sqs = SqsServer.Client();
        var input = await SqsServer.CreateQueueAsync(sqs, "in", fifo: true);
        string[] groups = ["a", "b", "c", "d"];
        const int PerGroup = 25;
        var sent = 0;
        for (var n = 0; n < PerGroup; n++)
        {
            // Each send carries the next message of every group.
            var response = await sqs.SendMessageBatchAsync(new SendMessageBatchRequest
            {
                QueueUrl = input.Url,
                Entries = groups.Select(g => new SendMessageBatchRequestEntry
                {
                    Id = $"{g}{n}",
                    MessageBody = TestEvent.Message().With("group", g).With("n", n).CreatingTask("sqs-task", $"{g} {n}").PayloadJson,
                    MessageGroupId = g,
                    MessageDeduplicationId = $"{g}-{n}",
                }).ToList(),
            });
            Assert.Empty(response.Failed ?? []);
            sent += groups.Length;
        }

        // Started once everything is queued, so each receive takes several messages of one group at a time (SQS hands out a
        // group's messages in order and no more of it while some are in flight).
        await using var silo = await TaskServiceSilo.StartAsync(nameof(SqsFifoTests), new()
        {
            ["TaskService:Sqs:Incoming:Enabled"] = "true",
            ["TaskService:Sqs:Incoming:Queues:0"] = input.Name,
            ["TaskService:Sqs:Incoming:ReceiversPerQueue"] = "3",
        }, jitter: true);

        await Eventually.ReturnsAsync(() => silo.Sink!.Recorded.Count, n => n >= sent, Deadline, "every message is recorded");

        var recorded = silo.Sink!.Recorded.ToList();
        Assert.Equal(sent, recorded.Count);
        foreach (var group in groups)
        {
            var order = recorded.Where(e => e.Payload.GetProperty("group").GetString() == group).Select(e => e.Payload.GetProperty("n").GetInt32());
            Assert.Equal(Enumerable.Range(0, PerGroup), order);
        }

        Assert.Equal(sent, await silo.CountAsync(EntityKind.Event));
    }
}
