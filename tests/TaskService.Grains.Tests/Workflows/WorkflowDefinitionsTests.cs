using System.Reflection;
using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Workflows;

namespace TaskService.Grains.Tests.Workflows;

/// <summary>The parsed processes of deployed versions: read and parsed once, however many callers want one at the same moment.</summary>
public sealed class WorkflowDefinitionsTests
{
    private const string Bpmn =
        """<definitions xmlns="http://www.omg.org/spec/BPMN/20100524/MODEL"><process id="p" isExecutable="true"><startEvent id="s" /><sequenceFlow id="f" sourceRef="s" targetRef="e" /><endEvent id="e" /></process></definitions>""";

    [Fact]
    public async Task CallersWantingAVersionNotParsedYetShareOneRead()
    {
        var (store, loads) = await DeployedAsync();
        var definitions = new WorkflowDefinitions(loads.Store, Options.Create(new LimitsOptions()));

        var callers = Enumerable.Range(0, 10).Select(_ => definitions.GetProcessAsync(store.WorkflowId, 1)).ToArray();
        Assert.Equal(1, loads.Count);
        Assert.DoesNotContain(callers, c => c.IsCompleted);

        loads.Open();
        var processes = await Task.WhenAll(callers);
        Assert.All(processes, p => Assert.Same(processes[0], p));
        Assert.Equal("p", processes[0].Id);
        Assert.Same(processes[0], await definitions.GetProcessAsync(store.WorkflowId, 1));
        Assert.Equal(1, loads.Count);
    }

    [Fact]
    public async Task AVersionNotFoundFailsTheCallersThatSharedTheReadAndTheNextCallerReadsAgain()
    {
        var (store, loads) = await DeployedAsync();
        var definitions = new WorkflowDefinitions(loads.Store, Options.Create(new LimitsOptions()));

        var callers = Enumerable.Range(0, 3).Select(_ => definitions.GetProcessAsync(store.WorkflowId, 2)).ToArray();
        loads.Open();
        foreach (var caller in callers)
        {
            Assert.Equal(TaskServiceErrorKind.NotFound, (await Assert.ThrowsAsync<TaskServiceException>(() => caller)).Kind);
        }

        Assert.Equal(1, loads.Count);

        // Deployed since: the next caller reads again and finds it.
        await store.DeployAsync(2);
        Assert.Equal("p", (await definitions.GetProcessAsync(store.WorkflowId, 2)).Id);
        Assert.Equal(2, loads.Count);
    }

    private static async Task<(DeployedStore Store, GatedLoads Loads)> DeployedAsync()
    {
        var store = new DeployedStore(new InMemoryTaskServiceStore(TimeProvider.System));
        await store.DeployAsync(1);
        return (store, GatedLoads.Wrap(store.Inner));
    }

    private sealed class DeployedStore(ITaskServiceStore inner)
    {
        public ITaskServiceStore Inner { get; } = inner;

        public string WorkflowId { get; } = Guid.NewGuid().ToString();

        public Task DeployAsync(int versions)
        {
            var now = DateTimeOffset.UtcNow;
            var workflow = new WorkflowRecord
            {
                Id = WorkflowId,
                Name = "shared",
                ExternalIdentifier = "p",
                Provider = "embedded",
                WorkflowVersion = versions,
                InputSchema = JsonElementFactory.Parse("{}"),
                CreatedOn = now,
                ModifiedOn = now,
            };
            return Inner.SaveWorkflowAsync(new WorkflowAggregate(workflow, [.. Enumerable.Range(1, versions).Select(v => new WorkflowVersionRecord
            {
                WorkflowId = WorkflowId,
                Version = v,
                BpmnDiagram = Bpmn,
                ExternalWorkflowId = $"p:{v}:{WorkflowId}",
                InputSchema = JsonElementFactory.Parse("{}"),
                CreatedOn = now,
            })]));
        }
    }

    /// <summary>A store whose workflow reads wait until <see cref="Open"/> (once open, they go straight through), counted.</summary>
    /// <remarks>A <see cref="DispatchProxy"/>, so that it follows the store's interface; it cannot be sealed.</remarks>
    public class GatedLoads : DispatchProxy
    {
        private readonly TaskCompletionSource _gate = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private ITaskServiceStore _inner = null!;
        private int _count;

        public ITaskServiceStore Store => (ITaskServiceStore)(object)this;

        public int Count => Volatile.Read(ref _count);

        public static GatedLoads Wrap(ITaskServiceStore inner)
        {
            var gated = (GatedLoads)(object)Create<ITaskServiceStore, GatedLoads>();
            gated._inner = inner;
            return gated;
        }

        public void Open() => _gate.TrySetResult();

        protected override object? Invoke(MethodInfo? targetMethod, object?[]? args)
        {
            ArgumentNullException.ThrowIfNull(targetMethod);
            if (targetMethod.Name == nameof(ITaskServiceStore.LoadWorkflowAsync))
            {
                Interlocked.Increment(ref _count);
                return LoadAfterGateAsync((string)args![0]!);
            }

            return targetMethod.Invoke(_inner, args);
        }

        private async Task<WorkflowAggregate?> LoadAfterGateAsync(string workflowId)
        {
            await _gate.Task;
            return await _inner.LoadWorkflowAsync(workflowId);
        }
    }
}
