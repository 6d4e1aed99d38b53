using System.Collections.Concurrent;

namespace TaskService.Grains.Tests.Engine;

/// <summary>Records the calls that reach task grains in the test silo, by grain id, for tests that check which calls a path makes.</summary>
public sealed class GrainCallRecorder : IIncomingGrainCallFilter
{
    private readonly ConcurrentQueue<(GrainId Grain, string Method)> _taskCalls = new();

    /// <summary>The methods called on the task grain with this key, in the order they arrived.</summary>
    public IReadOnlyList<string> TaskCalls(string taskId) =>
        [.. _taskCalls.Where(c => c.Grain.Key.ToString() == taskId).Select(c => c.Method)];

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType == typeof(TaskService.Tasks.ITaskGrain))
        {
            _taskCalls.Enqueue((context.TargetId, context.InterfaceMethod.Name));
        }

        return context.Invoke();
    }
}
