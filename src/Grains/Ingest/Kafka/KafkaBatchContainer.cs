using Orleans.Providers.Streams.Common;
using Orleans.Runtime;
using Orleans.Streams;
using TaskService.Events;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// Messages of one read of a partition, in offset order, as one Orleans stream batch: the events they became on the stream of
/// their key, each with its partition offset and whether the receiver recorded it already (see <see cref="StreamedEvent"/>).
/// The pulling agent hands a batch to the event router in one call, which takes its events one after another in order; the
/// batch's token is that of its last message, and it counts as handled (and its offsets as committable) once delivered whole.
/// </summary>
[GenerateSerializer, Immutable, Alias("TaskService.KafkaBatchContainer")]
public sealed class KafkaBatchContainer : IBatchContainer
{
    [Id(0)] public required StreamId StreamId { get; init; }

    /// <summary>The events, in offset order; never empty.</summary>
    [Id(1)] public required IReadOnlyList<StreamedEvent> Events { get; init; }

    /// <summary>The partition offset of each event's message, ascending.</summary>
    [Id(2)] public required IReadOnlyList<long> Offsets { get; init; }

    /// <summary>The partition offset of the last message.</summary>
    public long Offset => Offsets[^1];

    public StreamSequenceToken SequenceToken => _token ??= new EventSequenceTokenV2(Offset);

    [NonSerialized]
    private EventSequenceTokenV2? _token;

    /// <summary>A batch of one message.</summary>
    public static KafkaBatchContainer Single(StreamId streamId, EventRecord record, long offset, bool recorded, string? fallbackId = null) => new()
    {
        StreamId = streamId,
        Events = [new StreamedEvent { Record = record, Recorded = recorded, FallbackId = fallbackId }],
        Offsets = [offset],
    };

    public IEnumerable<Tuple<T, StreamSequenceToken>> GetEvents<T>()
    {
        // The event router, the stream's only consumer, takes StreamedEvent.
        for (var i = 0; i < Events.Count; i++)
        {
            if (Events[i] is T streamed)
            {
                yield return Tuple.Create(streamed, (StreamSequenceToken)new EventSequenceTokenV2(Offsets[i]));
            }
        }
    }

    public bool ImportRequestContext() => false;

    public override string ToString() => $"{nameof(KafkaBatchContainer)}({Events[0].Record.Id}, {Events.Count} event(s))";
}
