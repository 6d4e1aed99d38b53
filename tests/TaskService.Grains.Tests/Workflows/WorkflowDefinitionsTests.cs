using Microsoft.Extensions.Options;
using TaskService.Common;
using TaskService.Errors;
using TaskService.Grains.Tests.Engine;
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
        var (store, spy, gate) = await DeployedAsync();
        var definitions = new WorkflowDefinitions((ITaskServiceStore)spy, Options.Create(new LimitsOptions()));

        var callers = Enumerable.Range(0, 10).Select(_ => definitions.GetProcessAsync(store.WorkflowId, 1)).ToArray();
        Assert.Equal(1, Loads(spy));
        Assert.DoesNotContain(callers, c => c.IsCompleted);

        gate.SetResult();
        var processes = await Task.WhenAll(callers);
        Assert.All(processes, p => Assert.Same(processes[0], p));
        Assert.Equal("p", processes[0].Id);
        Assert.Same(processes[0], await definitions.GetProcessAsync(store.WorkflowId, 1));
        Assert.Equal(1, Loads(spy));
    }

    [Fact]
    public async Task AVersionNotFoundFailsTheCallersThatSharedTheReadAndTheNextCallerReadsAgain()
    {
        var (store, spy, gate) = await DeployedAsync();
        var definitions = new WorkflowDefinitions((ITaskServiceStore)spy, Options.Create(new LimitsOptions()));

        var callers = Enumerable.Range(0, 3).Select(_ => definitions.GetProcessAsync(store.WorkflowId, 2)).ToArray();
        gate.SetResult();
        foreach (var caller in callers)
        {
            Assert.Equal(TaskServiceErrorKind.NotFound, (await Assert.ThrowsAsync<TaskServiceException>(() => caller)).Kind);
        }

        Assert.Equal(1, Loads(spy));

        // Deployed since: the next caller reads again and finds it.
        await store.DeployAsync(2);
        Assert.Equal("p", (await definitions.GetProcessAsync(store.WorkflowId, 2)).Id);
        Assert.Equal(2, Loads(spy));
    }

    [Fact]
    public async Task AVersionThatIsNotThereFailsAtOnceWhenTheReadAnswersAtOnce()
    {
        var (store, spy, gate) = await DeployedAsync();
        gate.SetResult();
        var definitions = new WorkflowDefinitions((ITaskServiceStore)spy, Options.Create(new LimitsOptions()));

        // On a thread of its own: a caller that looked the failed read up again would spin, and the deadline would not be reached.
        var missing = Task.Run(() => definitions.GetProcessAsync(store.WorkflowId, 3)).WaitAsync(TimeSpan.FromSeconds(10));
        Assert.Equal(TaskServiceErrorKind.NotFound, (await Assert.ThrowsAsync<TaskServiceException>(() => missing)).Kind);
        Assert.Equal(1, Loads(spy));
    }

    /// <summary>A store with version 1 deployed, and a spy over it whose workflow reads wait for the gate.</summary>
    private static async Task<(DeployedStore Store, StoreSpy Spy, TaskCompletionSource Gate)> DeployedAsync()
    {
        var store = new DeployedStore(new InMemoryTaskServiceStore(TimeProvider.System));
        await store.DeployAsync(1);
        var spy = StoreSpy.Wrap(store.Inner);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        spy.HoldWorkflowLoads(gate.Task);
        return (store, spy, gate);
    }

    private static int Loads(StoreSpy spy) => spy.CallsOf(nameof(ITaskServiceStore.LoadWorkflowAsync));

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
}
