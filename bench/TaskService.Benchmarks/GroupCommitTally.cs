using System.Diagnostics.Metrics;
using TaskService.Storage.Postgres;

namespace TaskService.Benchmarks;

/// <summary>
/// Counts the silo's group-commit batches and the writes they carried, by lane, from <see cref="GroupCommitInstruments"/>:
/// writes per batch is what a round trip and a commit are shared by, and a batch's duration is what its writes wait for at least.
/// The longest batch of a phase tells a stall of PostgreSQL's commits (a slow fsync, a checkpoint's writes) from one of the
/// silo: every write that joined the batch waited for it.
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

    /// <summary>Batches and writes so far, by lane; each lane's longest batch is the longest since the reading before.</summary>
    public IReadOnlyDictionary<string, LaneTally> Read()
    {
        lock (_gate)
        {
            var reading = new Dictionary<string, LaneTally>(_lanes);
            foreach (var lane in reading.Keys)
            {
                _lanes[lane] = _lanes[lane] with { Longest = 0 };
            }

            return reading;
        }
    }

    /// <summary>Batches and writes of each lane between two readings, and the longest batch between them.</summary>
    public static IReadOnlyDictionary<string, LaneTally> Between(
        IReadOnlyDictionary<string, LaneTally> before, IReadOnlyDictionary<string, LaneTally> after) =>
        after.ToDictionary(
            lane => lane.Key,
            lane => before.TryGetValue(lane.Key, out var b)
                ? new LaneTally(lane.Value.Batches - b.Batches, lane.Value.Writes - b.Writes, lane.Value.Seconds - b.Seconds, lane.Value.Longest)
                : lane.Value);

    private void OnBatch(Instrument instrument, int writes, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var lane = Lane(tags);
        lock (_gate)
        {
            var tally = _lanes.GetValueOrDefault(lane);
            _lanes[lane] = tally with { Batches = tally.Batches + 1, Writes = tally.Writes + writes };
        }
    }

    private void OnDuration(Instrument instrument, double seconds, ReadOnlySpan<KeyValuePair<string, object?>> tags, object? state)
    {
        var lane = Lane(tags);
        lock (_gate)
        {
            var tally = _lanes.GetValueOrDefault(lane);
            _lanes[lane] = tally with { Seconds = tally.Seconds + seconds, Longest = Math.Max(tally.Longest, seconds) };
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

/// <summary>One lane's group-commit batches, the writes they carried and the seconds they took, all summed, and the longest batch in seconds.</summary>
internal readonly record struct LaneTally(long Batches, long Writes, double Seconds, double Longest = 0);
