using TaskService.Connectors.Sqs;

namespace TaskService.Sqs.Tests;

/// <summary>Wrong settings stop the silo at start with a message naming the setting.</summary>
public sealed class SqsOptionsValidatorTests
{
    [Fact]
    public void IncomingWithoutQueuesOrKeyAndOutgoingWithoutQueueAreRefusedNamingTheSetting()
    {
        var result = new SqsOptionsValidator().Validate(null, new SqsOptions
        {
            Incoming = new SqsIncomingOptions { Enabled = true, KeySource = SqsEventKeySource.Attribute, BatchSize = 11 },
            Outgoing = new SqsOutgoingOptions { Enabled = true },
        });

        Assert.True(result.Failed);
        Assert.Contains(result.Failures!, f => f.StartsWith("TaskService:Sqs:Incoming:Queues", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("TaskService:Sqs:Incoming:Key ", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("TaskService:Sqs:Incoming:BatchSize", StringComparison.Ordinal));
        Assert.Contains(result.Failures!, f => f.StartsWith("TaskService:Sqs:Outgoing:Queue", StringComparison.Ordinal));
    }

    [Fact]
    public void TheDeadLetterQueueMayNotBeAnIncomingQueueWhetherGivenByNameOrUrl()
    {
        var result = new SqsOptionsValidator().Validate(null, new SqsOptions
        {
            Incoming = new SqsIncomingOptions { Enabled = true, Queues = ["http://127.0.0.1:4566/000000000000/orders"], DeadLetterQueue = "orders" },
        });

        Assert.Contains(result.Failures!, f => f.StartsWith("TaskService:Sqs:Incoming:DeadLetterQueue", StringComparison.Ordinal));
    }

    [Fact]
    public void ACompleteConfigurationPasses()
    {
        var result = new SqsOptionsValidator().Validate(null, new SqsOptions
        {
            ServiceUrl = new Uri("http://127.0.0.1:4566"),
            Incoming = new SqsIncomingOptions { Enabled = true, Queues = ["orders.fifo"], DeadLetterQueue = "dead.fifo" },
            Outgoing = new SqsOutgoingOptions { Enabled = true, Queue = "events.fifo" },
        });

        Assert.True(result.Succeeded, string.Join("; ", result.Failures ?? []));
    }
}
