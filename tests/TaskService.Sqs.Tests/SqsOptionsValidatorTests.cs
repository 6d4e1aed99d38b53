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

    [Theory]
    [InlineData("https://sqs.eu-west-1.amazonaws.com/123456789012", "not a queue URL")]
    [InlineData("https://key:secret@sqs.eu-west-1.amazonaws.com/123456789012/orders", "not a queue URL")]
    [InlineData("https://sqs.eu-west-1.amazonaws.com/123456789012/orders?x=1", "not a queue URL")]
    [InlineData("sqs.eu-west-1.amazonaws.com/123456789012/orders", "neither a queue name")]
    [InlineData("orders queue", "neither a queue name")]
    [InlineData("orders.fifo.fifo", "neither a queue name")]
    public void AQueueThatIsNeitherANameNorAQueueUrlIsRefusedNamingTheSetting(string queue, string reason)
    {
        var result = new SqsOptionsValidator().Validate(null, new SqsOptions
        {
            Incoming = new SqsIncomingOptions { Enabled = true, Queues = [queue], DeadLetterQueue = queue },
            Outgoing = new SqsOutgoingOptions { Enabled = true, Queue = queue },
        });

        foreach (var setting in new[] { "Incoming:Queues", "Incoming:DeadLetterQueue", "Outgoing:Queue" })
        {
            Assert.Contains(result.Failures!, f => f.StartsWith($"TaskService:Sqs:{setting} holds", StringComparison.Ordinal) && f.Contains(reason, StringComparison.Ordinal));
        }
    }

    [Theory]
    [InlineData("Europe")]
    [InlineData("eu-west")]
    [InlineData("EU-WEST-1")]
    public void ARegionThatIsNotOneIsRefusedNamingTheSetting(string region)
    {
        var result = new SqsOptionsValidator().Validate(null, new SqsOptions
        {
            Region = region,
            Outgoing = new SqsOutgoingOptions { Enabled = true, Queue = "events" },
        });

        Assert.StartsWith("TaskService:Sqs:Region holds", Assert.Single(result.Failures!), StringComparison.Ordinal);
    }

    [Fact]
    public void ACompleteConfigurationPasses()
    {
        var result = new SqsOptionsValidator().Validate(null, new SqsOptions
        {
            Region = "us-gov-west-1",
            ServiceUrl = new Uri("http://127.0.0.1:4566"),
            Incoming = new SqsIncomingOptions
            {
                Enabled = true,
                Queues = ["orders.fifo", "https://sqs.eu-west-1.amazonaws.com/123456789012/sow_update-2"],
                DeadLetterQueue = "dead.fifo",
            },
            Outgoing = new SqsOutgoingOptions { Enabled = true, Queue = "events.fifo" },
        });

        Assert.True(result.Succeeded, string.Join("; ", result.Failures ?? []));
    }
}
