using Amazon.SQS.Model;
using TaskService.Connectors.Sqs;
using TaskService.Queries;

namespace TaskService.Sqs.Tests;

/// <summary>A message that cannot become an event goes to the dead-letter queue, and the messages behind it are recorded.</summary>
public sealed class SqsDeadLetterTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task MalformedMessagesGoToTheDeadLetterQueueAndTheMessagesOfTheirGroupBehindThemAreRecorded()
    {
        using var sqs = SqsServer.Client();
        var input = await SqsServer.CreateQueueAsync(sqs, "in", fifo: true);
        var deadLetter = await SqsServer.CreateQueueAsync(sqs, "dlq", fifo: true);
        await using var silo = await TaskServiceSilo.StartAsync(nameof(SqsDeadLetterTests), new()
        {
            ["TaskService:Sqs:Incoming:Enabled"] = "true",
            ["TaskService:Sqs:Incoming:Queues:0"] = input.Url,
            ["TaskService:Sqs:Incoming:KeySource"] = "Field",
            ["TaskService:Sqs:Incoming:Key"] = "meta.type",
            ["TaskService:Sqs:Incoming:DeadLetterQueue"] = deadLetter.Name,
        });
        await silo.DeployCreateTasksWorkflowAsync("order-placed");

        // One group: a body that is not JSON, then a good one, then one without the key field, then two good ones.
        string[] bodies =
        [
            "this is not JSON",
            Good(1),
            """{"meta":{"other":"x"}}""",
            Good(2),
            Good(3),
        ];
        for (var i = 0; i < bodies.Length; i++)
        {
            await sqs.SendMessageAsync(new SendMessageRequest
            {
                QueueUrl = input.Url,
                MessageBody = bodies[i],
                MessageGroupId = "customer-7",
                MessageDeduplicationId = $"d{i}",
            });
        }

        await Eventually.ReturnsAsync(() => silo.CountAsync(EntityKind.Task), n => n >= 3, Deadline, "the good messages behind the malformed ones create their tasks");
        var deadLettered = await SqsServer.DrainAsync(sqs, deadLetter.Url, 2, Deadline);

        Assert.Equal(3, await silo.CountAsync(EntityKind.Task));
        Assert.Equal([bodies[0], bodies[2]], deadLettered.Select(m => m.Body));
        Assert.Contains("not valid JSON", deadLettered[0].MessageAttributes[SqsAttributes.Error].StringValue, StringComparison.Ordinal);
        Assert.Contains("'meta.type'", deadLettered[1].MessageAttributes[SqsAttributes.Error].StringValue, StringComparison.Ordinal);
        Assert.All(deadLettered, m => Assert.Equal(input.Name, m.MessageAttributes[SqsAttributes.SourceQueue].StringValue));
        Assert.All(deadLettered, m => Assert.Equal("customer-7", m.Attributes["MessageGroupId"]));

        // Nothing is left behind in the incoming queue, and the good ones were recorded in their order.
        var left = await sqs.GetQueueAttributesAsync(new GetQueueAttributesRequest { QueueUrl = input.Url, AttributeNames = ["All"] });
        Assert.Equal(0, left.ApproximateNumberOfMessages + left.ApproximateNumberOfMessagesNotVisible);
        Assert.Equal([1, 2, 3], silo.Sink!.Recorded.Select(e => e.Payload.GetProperty("n").GetInt32()));
    }

    private static string Good(int n) =>
        TestEvent.Message().With("n", n).With("meta", new { type = "order-placed" }).CreatingTask("sqs-task", $"Task {n}").PayloadJson;
}
