using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;

namespace TaskService.ConnectorBenchmarks;

/// <summary>
/// When each benchmark event went in, and which task-created events came out and how long after: the created task's name
/// ("Task n") names the event it came from. A task-created seen twice (at-least-once) counts once.
/// </summary>
internal sealed class OutputTally
{
    private readonly ConcurrentDictionary<int, long> _sentAt = new();
    private readonly ConcurrentDictionary<string, bool> _ids = new(StringComparer.Ordinal);
    private readonly ConcurrentBag<double> _latencies = [];
    private readonly ConcurrentBag<long> _measuredArrivals = [];

    /// <summary>The first measured event: warm-up events are numbered below it, and only measured events' latencies are kept.</summary>
    public const int MeasuredFrom = 1_000_000;

    public int Count => _ids.Count;

    /// <summary>When (a <see cref="Stopwatch"/> timestamp) the latest task-created not seen before came out; 0 before the first.</summary>
    public long LastReceivedAt => Interlocked.Read(ref _lastReceivedAt);

    private long _lastReceivedAt;

    public IReadOnlyCollection<double> Latencies => _latencies;

    /// <summary>When (<see cref="Stopwatch"/> timestamps) each measured event's task-created came out.</summary>
    public IReadOnlyCollection<long> MeasuredArrivals => _measuredArrivals;

    public void Sent(int n) => _sentAt[n] = Stopwatch.GetTimestamp();

    public void Received(string eventId, string body)
    {
        if (!_ids.TryAdd(eventId, true))
        {
            return;
        }

        var receivedAt = Stopwatch.GetTimestamp();
        Interlocked.Exchange(ref _lastReceivedAt, receivedAt);

        using var document = JsonDocument.Parse(body);
        if (document.RootElement.TryGetProperty("payload", out var payload)
            && payload.TryGetProperty("createdTasks", out var tasks)
            && tasks.GetArrayLength() > 0
            && tasks[0].GetProperty("name").GetString() is { } name
            && name.StartsWith("Task ", StringComparison.Ordinal)
            && int.TryParse(name.AsSpan(5), NumberStyles.None, CultureInfo.InvariantCulture, out var n)
            && n >= MeasuredFrom
            && _sentAt.TryGetValue(n, out var sentAt))
        {
            _latencies.Add(Stopwatch.GetElapsedTime(sentAt, receivedAt).TotalMilliseconds);
            _measuredArrivals.Add(receivedAt);
        }
    }
}
