using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using TaskService.Events;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// One Kafka message as an Orleans stream batch: the event it became, on the stream of its key, at its partition offset, and
/// whether the receiver recorded it already (see <see cref="StreamedEvent"/>).
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.KafkaBatchContainer")]
public sealed class KafkaBatchContainer : IBatchContainer
{
    [Id(0)] public required StreamId StreamId { get; init; }

    [Id(1)] public required EventRecord Record { get; init; }

    [Id(2)] public required EventSequenceTokenV2 Token { get; init; }

    /// <summary>True when the receiver recorded the event durably before handing the message to the pulling agent.</summary>
    [Id(3)] public bool Recorded { get; init; }

    /// <summary>The partition offset of the message.</summary>
    public long Offset => Token.SequenceNumber;

    public StreamSequenceToken SequenceToken => Token;

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        // The event router, the stream's only consumer, takes StreamedEvent.
        if (new StreamedEvent { Record = Record, Recorded = Recorded } is T streamed)
        {
            yield return Tuple.Create(streamed, (StreamSequenceToken)Token);
        }
    }

    public bool ImportRequestContext() => false;

    public override string ToString() => $"{nameof(KafkaBatchContainer)}({Record.Id})";
}
