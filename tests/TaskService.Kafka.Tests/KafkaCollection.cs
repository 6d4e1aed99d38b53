namespace TaskService.Kafka.Tests;

/// <summary>The Kafka tests share one mock cluster (fresh topics per test) and run one at a time: they start silos of their own.</summary>
[CollectionDefinition(Name)]
public sealed class KafkaCollection : ICollectionFixture<KafkaMockCluster>
{
    public const string Name = "kafka";
}
