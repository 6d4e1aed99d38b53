using TaskService.Commands;
using TaskService.Common;
using TaskService.Grains.Tests.Engine;
using TaskService.Mappings;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Tasks;
using TaskService.Workflows;

namespace TaskService.Grains.Tests.Tasks;

/// <summary>
/// <c>create-tasks</c> writes a task whose key maps no workflow without a call to its grain; a grain that found no task before
/// then sees the task; tasks with a workflow, tasks already there and deleted tasks still go through their grain.
/// </summary>
[Collection(ClusterCollection.Name)]
public sealed class TaskCreationTests(ClusterFixture fixture)
{
    private GrainCallRecorder Calls => fixture.SiloService<GrainCallRecorder>();

    private ITaskServiceStore Store => fixture.SiloService<ITaskServiceStore>();

    [Fact]
    public async Task TasksWhoseKeysMapNoWorkflowAreWrittenWithoutACallToTheirGrains()
    {
        var context = Context(("first", "First"), ("second", "Second"));

        var taskIds = await RunCreateTasksAsync(context);

        Assert.Equal(2, taskIds.Count);
        Assert.All(taskIds, id => Assert.Empty(Calls.TaskCalls(id)));
        var stored = await Task.WhenAll(taskIds.Select(id => Store.LoadTaskAsync(id)));
        Assert.Equal(["First", "Second"], stored.Select(s => s!.Task.Name));
        Assert.All(stored, s => Assert.Equal(TaskRecordStatus.Pending, s!.Task.Status));

        // Their grains read them when first asked.
        Assert.Equal("First", (await fixture.Grains.GetGrain<ITaskGrain>(taskIds[0]).GetAsync())!.Name);
    }

    [Fact]
    public async Task AGrainThatFoundNoTaskBeforeTheStepWroteItSeesAndChangesTheTask()
    {
        var context = Context(("early", "Asked for early"));
        var taskId = DeterministicId.From("task", context.ExternalTaskId, "0");
        var grain = fixture.Grains.GetGrain<ITaskGrain>(taskId);
        Assert.Null(await grain.GetAsync());

        Assert.Equal([taskId], await RunCreateTasksAsync(context));

        Assert.Equal("Asked for early", (await grain.GetAsync())!.Name);
        var updated = (await grain.UpdateAsync(new TaskUpdate { Name = "Renamed" })).OrThrow();
        Assert.Equal("Renamed", updated.Name);
        Assert.Equal("Renamed", (await Store.LoadTaskAsync(taskId))!.Task.Name);
    }

    [Fact]
    public async Task ATaskWithAWorkflowIsCreatedByItsGrain()
    {
        var processId = $"p_{Guid.NewGuid():N}";
        var workflow = fixture.Grains.GetGrain<IWorkflowGrain>(Guid.NewGuid().ToString());
        (await workflow.CreateAsync(new NewWorkflow { Name = "review", BpmnFile = Bpmn.Parallel(processId), InputSchema = JsonElementFactory.Parse("{}") })).OrThrow();
        var key = $"mapped-{Guid.NewGuid():N}";
        (await fixture.Grains.GetGrain<IMappingsGrain>(0).AddTaskMappingAsync(key, processId)).OrThrow();

        var taskId = Assert.Single(await RunCreateTasksAsync(Context((key, "Mapped"))));

        Assert.Equal([nameof(ITaskGrain.CreateAsync), nameof(ITaskGrain.AttachWorkflowAsync)], Calls.TaskCalls(taskId));
        Assert.NotNull((await Store.LoadTaskAsync(taskId))!.Task.ExternalId);
    }

    [Fact]
    public async Task ADeletedTaskIsWrittenAgainByItsGrainWhenTheStepRunsAgain()
    {
        var context = Context(("again", "Made twice"));
        var taskId = Assert.Single(await RunCreateTasksAsync(context));
        (await fixture.Grains.GetGrain<ITaskGrain>(taskId).DeleteAsync(cascade: false)).OrThrow();
        Assert.Null(await Store.LoadTaskAsync(taskId));

        Assert.Equal([taskId], await RunCreateTasksAsync(context));

        Assert.Equal("Made twice", (await Store.LoadTaskAsync(taskId))!.Task.Name);
        Assert.Contains(nameof(ITaskGrain.CreateAsync), Calls.TaskCalls(taskId));
    }

    private Task<IReadOnlyList<string>> RunCreateTasksAsync(ExternalTaskContext context) => CreateTasksStep.RunAsync(fixture, context);

    private static ExternalTaskContext Context(params (string Key, string Name)[] tasks) => CreateTasksStep.Context(tasks);
}
