using System.Reflection;
using System.Text.Json;
using TaskService.Events;
using TaskService.Storage;

namespace TaskService.Kafka.Tests;

/// <summary>
/// The task service store, except that recording an event whose payload has <c>"poison": true</c> always fails, as a database
/// outage would for that event: the event router throws and the stream provider's delivery retries run out.
/// </summary>
public class PoisonStore : DispatchProxy
{
    private ITaskServiceStore _inner = null!;

    public static ITaskServiceStore Wrap(ITaskServiceStore inner)
    {
        var proxy = Create<ITaskServiceStore, PoisonStore>();
        ((PoisonStore)(object)proxy)._inner = inner;
        return proxy;
    }

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        if (targetMethod?.Name == nameof(ITaskServiceStore.RecordEventAsync)
            && args?[0] is EventRecord { Payload.ValueKind: JsonValueKind.Object } record
            && record.Payload.TryGetProperty("poison", out var poison) && poison.ValueKind == JsonValueKind.True)
        {
            return Task.FromException<EventRecording>(new InvalidOperationException($"The store refuses event {record.Id}."));
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
}
