using System.Collections.Concurrent;
using System.Reflection;
using System.Text.Json;
using TaskService.Events;
using TaskService.Storage;

namespace TaskService.Kafka.Tests;

/// <summary>
/// The task service store, except that recording an event waits until the test opens the gate, and recording an event whose
/// payload has <c>"poison": true</c> then fails, as a database outage would for that event. It counts the recordings waiting at
/// the gate and every recording asked for, per event id.
/// </summary>
public class GatedStore : DispatchProxy
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly ConcurrentDictionary<string, int> _recordings = new(StringComparer.Ordinal);
    private ITaskServiceStore _inner = null!;
    private int _waiting;

    /// <summary>Recordings waiting for the gate now.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    public static ITaskServiceStore Wrap(ITaskServiceStore inner, out GatedStore gated)
    {
        var proxy = Create<ITaskServiceStore, GatedStore>();
        gated = (GatedStore)(object)proxy;
        gated._inner = inner;
        return proxy;
    }

    /// <summary>Lets every recording, waiting or still to come, go on.</summary>
    public void Open() => _gate.TrySetResult();

    /// <summary>How often recording the event was asked for.</summary>
    public int RecordingsOf(string eventId) => _recordings.GetValueOrDefault(eventId);

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod?.Name == nameof(ITaskServiceStore.RecordEventAsync) && args?[0] is EventRecord record)
        {
            _recordings.AddOrUpdate(record.Id, 1, (_, n) => n + 1);
            return RecordAsync(record, (CancellationToken)args[1]!);
        }

        try
        {
            return targetMethod!.Invoke(_inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            throw exception.InnerException;
        }
    }

    private async Task<EventRecording> RecordAsync(EventRecord record, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _waiting);
        try
        {
            await _gate.Task;
        }
        finally
        {
            Interlocked.Decrement(ref _waiting);
        }

        if (record.Payload.ValueKind == JsonValueKind.Object
            && record.Payload.TryGetProperty("poison", out var poison) && poison.ValueKind == JsonValueKind.True)
        {
            throw new InvalidOperationException($"The store refuses event {record.Id}.");
        }

        return await _inner.RecordEventAsync(record, cancellationToken);
    }
}
