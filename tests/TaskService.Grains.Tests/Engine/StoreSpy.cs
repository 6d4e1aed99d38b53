using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.ExceptionServices;
using TaskService.Events;
using TaskService.Storage;
using TaskService.Workflows;

namespace TaskService.Grains.Tests.Engine;

/// <summary>
/// Wraps the silo's store: notes every workflow instance write (by instance id, with the status it wrote) and every outgoing
/// event the outbox took (an event already there is not taken again), notes every call by method, can make the next write of an instance fail as if
/// the process died just before it, and can hold an event's record until a test lets it go (or fails it). Everything else goes through unchanged.
/// </summary>
/// <remarks>A <see cref="DispatchProxy"/>, so it follows the store's interface without restating its fifty members; the proxy
/// type is generated as a subclass, so this class cannot be sealed.</remarks>
public class StoreSpy : DispatchProxy
{
    private ITaskServiceStore _inner = null!;

    /// <summary>The statuses written for each instance, in order; a write made to fail is not listed.</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<WorkflowInstanceStatus>> InstanceWrites { get; } = new(StringComparer.Ordinal);

    /// <summary>The states written for each instance, in order (JSON, as the store holds them).</summary>
    public ConcurrentDictionary<string, ConcurrentQueue<string>> InstanceStates { get; } = new(StringComparer.Ordinal);

    /// <summary>How many times each instance's saved state was read.</summary>
    public ConcurrentDictionary<string, int> InstanceReads { get; } = new(StringComparer.Ordinal);

    /// <summary>Every outgoing event the outbox added for this silo's dispatcher (the test silo dispatches), in order.</summary>
    public ConcurrentQueue<OutgoingEvent> OutboxAdded { get; } = new();

    /// <summary>What the spy saw, in order: <c>instance {id} {status}</c>, <c>instance {id} failed</c>, <c>instance {id} was there</c> (a create that found the row), <c>instance {id} read</c>, <c>outbox {event id}</c>.</summary>
    public ConcurrentQueue<string> Log { get; } = new();

    /// <summary>Every call the store was made, by method name, in order: <c>(method, first argument)</c>.</summary>
    public ConcurrentQueue<(string Method, object? Subject)> Calls { get; } = new();

    private readonly ConcurrentDictionary<string, int> _failNextWrite = new(StringComparer.Ordinal);

    private readonly ConcurrentDictionary<string, Task> _heldRecords = new(StringComparer.Ordinal);

    private Task _workflowLoads = Task.CompletedTask;

    /// <summary>A spy over <paramref name="inner"/>; it is the store too (cast it to <see cref="ITaskServiceStore"/>).</summary>
    public static StoreSpy Wrap(ITaskServiceStore inner)
    {
        var spy = (StoreSpy)(object)Create<ITaskServiceStore, StoreSpy>();
        spy._inner = inner;
        return spy;
    }

    /// <summary>The next write of <paramref name="instanceId"/> fails and writes nothing.</summary>
    public void FailNextWrite(string instanceId) => _failNextWrite[instanceId] = 1;

    /// <summary>
    /// The next record of the event <paramref name="eventId"/> waits for <paramref name="gate"/>: it is written once the gate
    /// completes, and fails, writing nothing, if the gate fails.
    /// </summary>
    public void HoldNextRecord(string eventId, Task gate) => _heldRecords[eventId] = gate;

    /// <summary>Every workflow read (<see cref="ITaskServiceStore.LoadWorkflowAsync"/>) from now on waits for <paramref name="gate"/>.</summary>
    public void HoldWorkflowLoads(Task gate) => _workflowLoads = gate;

    /// <summary>How many times the store was called through <paramref name="method"/>.</summary>
    public int CallsOf(string method) => Calls.Count(c => c.Method == method);

    /// <summary>Whether the event <paramref name="eventId"/> was given to the store to be noted as routed.</summary>
    public bool MarkedRouted(string eventId) =>
        Calls.Any(c => c.Method == nameof(ITaskServiceStore.MarkEventsRoutedAsync) && c.Subject is IEnumerable<string> ids && ids.Contains(eventId));

    public int WritesOf(string instanceId) => InstanceWrites.TryGetValue(instanceId, out var writes) ? writes.Count : 0;

    protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
    {
        ArgumentNullException.ThrowIfNull(targetMethod);
        Calls.Enqueue((targetMethod.Name, args is { Length: > 0 } ? args[0] : null));
        switch (targetMethod.Name)
        {
            case nameof(ITaskServiceStore.SaveWorkflowInstanceAsync):
            case nameof(ITaskServiceStore.TryCreateWorkflowInstanceAsync):
                var summary = (WorkflowInstanceSummary)args![0]!;
                var creates = targetMethod.Name == nameof(ITaskServiceStore.TryCreateWorkflowInstanceAsync);
                if (_failNextWrite.TryRemove(summary.Id, out _))
                {
                    Log.Enqueue($"instance {summary.Id} failed");
                    var died = new IOException("The process died before the instance was written (test).");
                    return creates ? Task.FromException<bool>(died) : Task.FromException(died);
                }

                if (creates)
                {
                    return NoteCreatedAsync(summary, (string)args[1]!, (Task<bool>)Forward(targetMethod, args)!);
                }

                NoteWritten(summary, (string)args[1]!);
                break;

            case nameof(ITaskServiceStore.RecordEventAsync) when _heldRecords.TryRemove(((EventRecord)args![0]!).Id, out var gate):
                return ForwardAfterAsync<EventRecording>(gate, targetMethod, args);

            case nameof(ITaskServiceStore.LoadWorkflowAsync):
                return ForwardAfterAsync<WorkflowAggregate?>(_workflowLoads, targetMethod, args!);

            case nameof(ITaskServiceStore.LoadWorkflowInstanceStateAsync):
                InstanceReads.AddOrUpdate((string)args![0]!, 1, static (_, count) => count + 1);
                Log.Enqueue($"instance {args[0]} read");
                break;

            case nameof(ITaskServiceStore.AppendClaimedOutboxAsync):
            case nameof(ITaskServiceStore.SaveTaskAsync):
                return NoteAddedAsync((Task<IReadOnlyList<OutboxEntry>>)Forward(targetMethod, args)!);

            case nameof(ITaskServiceStore.TryCreateTaskAsync) when targetMethod.ReturnType == typeof(Task<TaskCreation>):
                return NoteCreatedAsync((Task<TaskCreation>)Forward(targetMethod, args)!);
        }

        return Forward(targetMethod, args);
    }

    /// <summary>Calls the store once <paramref name="gate"/> is open.</summary>
    private async Task<T> ForwardAfterAsync<T>(Task gate, MethodInfo targetMethod, object?[] args)
    {
        await gate;
        return await (Task<T>)Forward(targetMethod, args)!;
    }

    private async Task<bool> NoteCreatedAsync(WorkflowInstanceSummary summary, string state, Task<bool> creating)
    {
        var created = await creating;
        if (created)
        {
            NoteWritten(summary, state);
        }
        else
        {
            Log.Enqueue($"instance {summary.Id} was there");
        }

        return created;
    }

    private void NoteWritten(WorkflowInstanceSummary summary, string state)
    {
        InstanceWrites.GetOrAdd(summary.Id, _ => new()).Enqueue(summary.Status);
        InstanceStates.GetOrAdd(summary.Id, _ => new()).Enqueue(state);
        Log.Enqueue($"instance {summary.Id} {summary.Status}");
    }

    private async Task<IReadOnlyList<OutboxEntry>> NoteAddedAsync(Task<IReadOnlyList<OutboxEntry>> appending)
    {
        var added = await appending;
        Note(added);
        return added;
    }

    private async Task<TaskCreation> NoteCreatedAsync(Task<TaskCreation> creating)
    {
        var creation = await creating;
        Note(creation.Claimed);
        return creation;
    }

    private void Note(IReadOnlyList<OutboxEntry> added)
    {
        foreach (var entry in added)
        {
            OutboxAdded.Enqueue(entry.Event);
            Log.Enqueue($"outbox {entry.Event.Id}");
        }
    }

    private object? Forward(MethodInfo targetMethod, object?[]? args)
    {
        try
        {
            return targetMethod.Invoke(_inner, args);
        }
        catch (TargetInvocationException exception) when (exception.InnerException is not null)
        {
            ExceptionDispatchInfo.Throw(exception.InnerException);
            throw;
        }
    }
}
