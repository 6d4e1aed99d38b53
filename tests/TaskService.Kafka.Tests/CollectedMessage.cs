namespace TaskService.Kafka.Tests;

/// <summary>A message read from a topic by a <see cref="TopicCollector"/>, with its headers as UTF-8 text.</summary>
public sealed record CollectedMessage(string? Key, string? Value, IReadOnlyDictionary<string, string> Headers, int Partition, long Offset)
{
    public string? Header(string name) => Headers.TryGetValue(name, out var value) ? value : null;
}
