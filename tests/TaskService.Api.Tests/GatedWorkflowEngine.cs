using System.Collections.Concurrent;
using System.Text.Json;
using TaskService.Tasks;
using TaskService.Workflows;

namespace TaskService.Api.Tests;

/// <summary>
/// A workflow engine whose starts wait until the test opens the gate, so routed events pile up in the backlog; a start whose
/// variables carry <c>"poison": true</c> fails as a bug deep in the pipeline would.
/// </summary>
public sealed class GatedWorkflowEngine : IWorkflowEngine
{
    private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>The start ids of every start that got through the gate.</summary>
    public ConcurrentDictionary<string, JsonElement> Started { get; } = new(StringComparer.Ordinal);

    public void Open() => _gate.TrySetResult();

    public async Task<TaskService.Errors.Outcome<WorkflowStart>> StartAsync(string workflowKey, JsonElement variables, string startId, CancellationToken cancellationToken = default)
    {
        await _gate.Task.WaitAsync(cancellationToken);
        if (variables.TryGetProperty("poison", out var poison) && poison.ValueKind == JsonValueKind.True)
        {
            throw new InvalidOperationException("A start that fails for reasons no retry can fix.");
        }

        Started[startId] = variables.Clone();
        return new WorkflowStart(startId, []);
    }

    public Task<TaskService.Errors.Outcome<IReadOnlyList<NewUserTask>>> CompleteUserTaskAsync(string instanceId, string userTaskExternalId, JsonElement? variables, CancellationToken cancellationToken = default) =>
        Task.FromResult(TaskService.Errors.Outcome.Of<IReadOnlyList<NewUserTask>>([]));

    public Task CancelAsync(string instanceId, string reason, CancellationToken cancellationToken = default) => Task.CompletedTask;
}
