using System.Diagnostics.Metrics;
using TaskService.Storage.Postgres;

namespace TaskService.Benchmarks;

/// <summary>
/// Counts the silo's group-commit batches and the writes they carried, by lane, from <see cref="GroupCommitInstruments"/>:
/// writes per batch is what a round trip and a commit are shared by, which is most of what an event costs PostgreSQL.
/// </summary>
internal sealed class GroupCommitTally : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, (long Batches, long Writes)> _lanes = [];
    private readonly Lock _gate = new();

    public GroupCommitTally()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == GroupCommitInstruments.MeterName && instrument.Name == "taskservice.store.batch_writes")
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>(OnBatch);
        _listener.Start();
    }

    /// <summary>Batches and writes so far, by lane.</summary>
    public IReadOnlyDictionary<string, (long Batches, long Writes)> Read()
    {
        lock (_gate)
        {
            return new Dictionary<string, (long Batches, long Writes)>(_lanes);
        }
    }

    /// <summary>Batches and writes of each lane between two readings.</summary>
    public static IReadOnlyDictionary<string, (long Batches, long Writes)> Between(
        IReadOnlyDictionary<string, (long Batches, long Writes)> before, IReadOnlyDictionary<string, (long Batches, long Writes)> after) =>
        after.ToDictionary(
            lane => lane.Key,
            lane => before.TryGetValue(lane.Key, out var b) ? (lane.Value.Batches - b.Batches, lane.Value.Writes - b.Writes) : lane.Value);

    private void OnBatch(Instrument instrument, int writes, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var lane = "?";
        foreach (var tag in tags)
        {
            if (tag.Key == GroupCommitInstruments.LaneTag && tag.Value is string name)
            {
                lane = name;
            }
        }

        lock (_gate)
        {
            var (batches, total) = _lanes.GetValueOrDefault(lane);
            _lanes[lane] = (batches + 1, total + writes);
        }
    }

    public void Dispose() => _listener.Dispose();
}
