using TaskService.Connectors.Kafka;

namespace TaskService.Kafka.Tests;

/// <summary>Kafka settings that no broker could take stop the silo at start with a message naming the setting.</summary>
public sealed class KafkaOptionsValidatorTests
{
    [Theory]
    [InlineData("kafka")]
    [InlineData("kafka-1:9092,,kafka-2:9092")]
    [InlineData("kafka-1:9092;kafka-2:9092")]
    [InlineData("kafka-1:0")]
    [InlineData("kafka-1:65536")]
    [InlineData("http://kafka-1:9092/")]
    [InlineData("kafka 1:9092")]
    public void MalformedBootstrapServersAreRefusedNamingTheSetting(string servers)
    {
        var failure = Assert.Single(Failures(new KafkaOptions { BootstrapServers = servers, Outgoing = { Enabled = true, Topic = "events" } }));

        Assert.StartsWith("TaskService:Kafka:BootstrapServers ", failure, StringComparison.Ordinal);
        Assert.Contains("host:port", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("kafka-1:9092, kafka-2:9092")]
    [InlineData("127.0.0.1:9092")]
    [InlineData("[::1]:9092")]
    [InlineData("SASL_SSL://b-1.cluster.kafka.eu-west-1.amazonaws.com:9096")]
    public void BrokerAddressesPass(string servers)
    {
        Assert.Empty(Failures(new KafkaOptions { BootstrapServers = servers, Outgoing = { Enabled = true, Topic = "task-service.events" } }));
    }

    [Fact]
    public void TopicNamesKafkaRefusesAreRefusedNamingTheSetting()
    {
        var failures = Failures(new KafkaOptions
        {
            BootstrapServers = "kafka:9092",
            Incoming = { Enabled = true, Topics = ["sow.update", "sow update"], DeadLetterTopic = ".." },
            Outgoing = { Enabled = true, Topic = new string('t', 250) },
        });

        Assert.Contains(failures, f => f.StartsWith("TaskService:Kafka:Incoming:Topics holds 'sow update'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("TaskService:Kafka:Incoming:DeadLetterTopic holds '..'", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("TaskService:Kafka:Outgoing:Topic holds", StringComparison.Ordinal));
        Assert.Equal(3, failures.Count);
    }

    [Fact]
    public void EnablingEitherSideWithoutItsSettingsIsRefused()
    {
        var failures = Failures(new KafkaOptions { Incoming = { Enabled = true }, Outgoing = { Enabled = true } });

        Assert.Contains(failures, f => f.StartsWith("TaskService:Kafka:BootstrapServers is required", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("TaskService:Kafka:Incoming:Topics must list", StringComparison.Ordinal));
        Assert.Contains(failures, f => f.StartsWith("TaskService:Kafka:Outgoing:Topic is required", StringComparison.Ordinal));
    }

    [Fact]
    public void NothingIsCheckedWhileKafkaIsOff()
    {
        Assert.Empty(Failures(new KafkaOptions { BootstrapServers = "not a server" }));
    }

    private static IReadOnlyList<string> Failures(KafkaOptions options) =>
        [.. new KafkaOptionsValidator().Validate(null, options).Failures ?? []];
}
