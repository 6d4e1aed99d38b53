using System.Collections.Concurrent;

namespace TaskService.Grains.Tests.Engine;

/// <summary>Records the calls that reach task grains and embedded workflow instance grains in the test silo, by grain id, for tests that check which calls a path makes.</summary>
public sealed class GrainCallRecorder : IIncomingGrainCallFilter
{
    private readonly ConcurrentQueue<(GrainId Grain, string Method)> _taskCalls = new();
    private readonly ConcurrentQueue<(GrainId Grain, string Method)> _instanceCalls = new();

    /// <summary>The methods called on the task grain with this key, in the order they arrived.</summary>
    public IReadOnlyList<string> TaskCalls(string taskId) =>
        [.. _taskCalls.Where(c => c.Grain.Key.ToString() == taskId).Select(c => c.Method)];

    /// <summary>The methods called on the embedded workflow instance grain with this key, in the order they arrived.</summary>
    public IReadOnlyList<string> InstanceCalls(string instanceId) =>
        [.. _instanceCalls.Where(c => c.Grain.Key.ToString() == instanceId).Select(c => c.Method)];

    public Task Invoke(IIncomingGrainCallContext context)
    {
        if (context.InterfaceMethod?.DeclaringType == typeof(TaskService.Tasks.ITaskGrain))
        {
            _taskCalls.Enqueue((context.TargetId, context.InterfaceMethod.Name));
        }
        else if (context.InterfaceMethod?.DeclaringType == typeof(TaskService.Workflows.IWorkflowInstanceGrain)
            || context.InterfaceMethod?.DeclaringType == typeof(TaskService.Workflows.Embedded.IEmbeddedInstanceHandOver))
        {
            _instanceCalls.Enqueue((context.TargetId, context.InterfaceMethod.Name));
        }

        return context.Invoke();
    }
}
