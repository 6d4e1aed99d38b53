using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TaskService.Connectors.Sqs;
using TaskService.Events;
using TaskService.Hosting;
using TaskService.Queries;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Testing.Hosting;

namespace TaskService.Sqs.Tests;

/// <summary>An in-process TaskService silo on the embedded providers plus SQS from configuration (as <c>SiloProviders</c> adds it).</summary>
public sealed class TaskServiceSilo : IAsyncDisposable
{
    private TaskServiceSilo(string name, Dictionary<string, string?> settings)
    {
        var all = new Dictionary<string, string?>
        {
            ["TaskService:Sqs:ServiceUrl"] = SqsServer.Url,
            ["TaskService:Sqs:Region"] = SqsServer.Region,
            ["TaskService:Sqs:Incoming:WaitTime"] = "00:00:01",
            ["TaskService:Sqs:Incoming:VisibilityTimeout"] = "00:00:06",
            ["TaskService:Sqs:Incoming:ErrorBackoff"] = "00:00:00.200",
            ["TaskService:Outbox:PollInterval"] = "00:00:00.100",
            ["TaskService:Events:SweepInterval"] = "00:00:01",
        };
        foreach (var (key, value) in settings)
        {
            all[key] = value;
        }

        Cluster = ConnectorTestCluster.Build(name, 1, all, Store, "TaskService.Connectors.Sqs", (silo, configuration) =>
        {
            silo.Services.AddSingleton<ISqsEventSink>(services => Sink ??= new RecordingEventSink(services.GetRequiredService<IEventIngress>()) { Jitter = _jitter });
            silo.AddTaskServiceSqs(configuration);
        });
    }

    private bool _jitter;

    public InProcessTestCluster Cluster { get; }

    public InMemoryTaskServiceStore Store { get; } = new(TimeProvider.System);

    /// <summary>The events the receivers recorded, in the order they recorded them.</summary>
    public RecordingEventSink? Sink { get; private set; }

    public IGrainFactory Grains => Cluster.Client;

    public static async Task<TaskServiceSilo> StartAsync(string name, Dictionary<string, string?> settings, bool jitter = false)
    {
        var silo = new TaskServiceSilo(name, settings) { _jitter = jitter };
        await silo.Cluster.DeployAsync();
        return silo;
    }

    /// <summary>Deploys a workflow whose <c>create-tasks</c> step creates the tasks the event lists, and maps <paramref name="eventKey"/> to it.</summary>
    public Task DeployCreateTasksWorkflowAsync(string eventKey) => CreateTasksWorkflow.DeployAsync(Grains, "sqs-create-tasks", [eventKey]);

    /// <summary>A message body whose event makes the workflow create one task named after <paramref name="n"/>.</summary>
    public static string CreateOneTask(int n) => TestEvent.Message().With("n", n).CreatingTask("sqs-task", $"Task {n}").PayloadJson;

    public Task<long> CountAsync(EntityKind kind) => Store.CountAsync(kind, null);

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
