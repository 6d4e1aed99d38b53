using System.Diagnostics.Metrics;
using TaskService.Storage.Postgres;

namespace TaskService.Benchmarks;

/// <summary>
/// Counts the silo's group-commit batches and the writes they carried, by lane, from <see cref="GroupCommitInstruments"/>:
/// writes per batch is what a round trip and a commit are shared by, and a batch's duration is what its writes wait for at least.
/// </summary>
internal sealed class GroupCommitTally : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Dictionary<string, LaneTally> _lanes = [];
    private readonly Lock _gate = new();

    public GroupCommitTally()
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            // By name: the instruments are published while their class initializes, before its fields hold them.
            if (instrument.Meter.Name == GroupCommitInstruments.MeterName
                && instrument.Name is GroupCommitInstruments.BatchWritesName or GroupCommitInstruments.BatchDurationName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<int>(OnBatch);
        _listener.SetMeasurementEventCallback<double>(OnDuration);
        _listener.Start();
    }

    /// <summary>Batches and writes so far, by lane.</summary>
    public IReadOnlyDictionary<string, LaneTally> Read()
    {
        lock (_gate)
        {
            return new Dictionary<string, LaneTally>(_lanes);
        }
    }

    /// <summary>Batches and writes of each lane between two readings.</summary>
    public static IReadOnlyDictionary<string, LaneTally> Between(
        IReadOnlyDictionary<string, LaneTally> before, IReadOnlyDictionary<string, LaneTally> after) =>
        after.ToDictionary(
            lane => lane.Key,
            lane => before.TryGetValue(lane.Key, out var b)
                ? new LaneTally(lane.Value.Batches - b.Batches, lane.Value.Writes - b.Writes, lane.Value.Seconds - b.Seconds)
                : lane.Value);

    private void OnBatch(Instrument instrument, int writes, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var lane = Lane(tags);
        lock (_gate)
        {
            var (batches, total, seconds) = _lanes.GetValueOrDefault(lane);
            _lanes[lane] = new LaneTally(batches + 1, total + writes, seconds);
        }
    }

    private void OnDuration(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var lane = Lane(tags);
        lock (_gate)
        {
            var (batches, total, sum) = _lanes.GetValueOrDefault(lane);
            _lanes[lane] = new LaneTally(batches, total, sum + seconds);
        }
    }

    private static string Lane(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        foreach (var tag in tags)
        {
            if (tag.Key == GroupCommitInstruments.LaneTag && tag.Value is string name)
            {
                return name;
            }
        }

        return "?";
    }

    public void Dispose() => _listener.Dispose();
}

/// <summary>One lane's group-commit batches, the writes they carried and the seconds they took, all summed.</summary>
internal readonly record struct LaneTally(long Batches, long Writes, double Seconds);
