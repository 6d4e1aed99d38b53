using Microsoft.Extensions.DependencyInjection;
using Orleans.TestingHost;
using TaskService.Connectors.Kafka;
using TaskService.Hosting;
using TaskService.Queries;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Testing.Hosting;

namespace TaskService.Kafka.Tests;

/// <summary>
/// In-process TaskService silos on the embedded providers plus Kafka from configuration (as <c>SiloProviders</c> adds it), all
/// sharing one in-memory task service store and one reminder table that outlive silo restarts, as a database would.
/// </summary>
public sealed class TaskServiceSilos : IAsyncDisposable
{
    private readonly Dictionary<string, string?> _settings;

    private TaskServiceSilos(
        string name,
        KafkaMockCluster kafka,
        int silos,
        Action<Dictionary<string, string?>> configure,
        Func<ITaskServiceStore, ITaskServiceStore>? decorateStore,
        Action<ISiloBuilder>? configureSilo)
    {
        var siloStore = decorateStore?.Invoke(Store) ?? Store;
        _settings = new Dictionary<string, string?>
        {
            ["TaskService:Kafka:BootstrapServers"] = kafka.BootstrapServers,
            // Recover quickly once a broker is back.
            ["TaskService:Kafka:Client:reconnect.backoff.ms"] = "20",
            ["TaskService:Kafka:Client:reconnect.backoff.max.ms"] = "250",
            ["TaskService:Kafka:Client:topic.metadata.refresh.interval.ms"] = "1000",
            ["TaskService:Kafka:Consumer:session.timeout.ms"] = "6000",
            ["TaskService:Kafka:Incoming:CommitInterval"] = "00:00:00.100",
            ["TaskService:Kafka:Incoming:PollInterval"] = "00:00:00.020",
            ["TaskService:Kafka:Incoming:DeliveryRetries"] = "3",
            ["TaskService:Kafka:Incoming:DeliveryRetryBackoff"] = "00:00:00.050",
            ["TaskService:Kafka:MetadataTimeout"] = "00:00:10",
            ["TaskService:Outbox:PollInterval"] = "00:00:00.100",
            ["TaskService:Outbox:Lease"] = "00:00:02",
            ["TaskService:Events:SweepInterval"] = "00:00:01",
            // The tests' receivers listen on loopback, which the webhook URL policy refuses outside Development.
            ["TaskService:Webhooks:AllowedHosts:0"] = "127.0.0.1",
        };
        configure(_settings);
        Cluster = ConnectorTestCluster.Build(name, silos, _settings, siloStore, "TaskService.Connectors.Kafka", (silo, configuration) =>
        {
            silo.Services.AddSingleton<IReminderTable>(Reminders);
            silo.AddTaskServiceKafka(configuration);
            configureSilo?.Invoke(silo);
        });
    }

    public InProcessTestCluster Cluster { get; }

    /// <summary>The task service's tables, shared by every silo and kept across restarts.</summary>
    public InMemoryTaskServiceStore Store { get; } = new(TimeProvider.System);

    /// <summary>The reminders, shared by every silo and kept across restarts.</summary>
    public SharedReminderTable Reminders { get; } = new();

    public IGrainFactory Grains => Cluster.Client;

    public static async Task<TaskServiceSilos> StartAsync(
        string name,
        KafkaMockCluster kafka,
        int silos,
        Action<Dictionary<string, string?>> configure,
        Func<ITaskServiceStore, ITaskServiceStore>? decorateStore = null,
        Action<ISiloBuilder>? configureSilo = null)
    {
        var host = new TaskServiceSilos(name, kafka, silos, configure, decorateStore, configureSilo);
        await host.Cluster.DeployAsync();
        return host;
    }

    /// <summary>Deploys a workflow whose <c>create-tasks</c> step creates the tasks the event lists, and maps <paramref name="eventKey"/> to it.</summary>
    public Task<string> DeployCreateTasksWorkflowAsync(string eventKey) => CreateTasksWorkflow.DeployAsync(Grains, "kafka-create-tasks", [eventKey]);

    /// <summary>A message value whose event makes the workflow create one task named after <paramref name="n"/>.</summary>
    public static string CreateOneTask(int n) => TestEvent.Message().With("n", n).CreatingTask("kafka-task", $"Task {n}").PayloadJson;

    public Task<long> CountAsync(EntityKind kind) => Store.CountAsync(kind, null);

    /// <summary>The receivers of every running silo's Kafka stream provider.</summary>
    public IEnumerable<KafkaQueueAdapterReceiver> Receivers => Cluster.Silos.Where(s => s.IsActive).SelectMany(ReceiversOf);

    /// <summary>The receivers, and so the partitions, one silo reads now.</summary>
    public static IReadOnlyCollection<KafkaQueueAdapterReceiver> ReceiversOf(InProcessSiloHandle silo) =>
        silo.ServiceProvider.GetKeyedService<Orleans.Streams.IQueueAdapterFactory>(KafkaOptions.StreamProviderName) is KafkaQueueAdapterFactory factory
            ? factory.Receivers
            : [];

    public async ValueTask DisposeAsync() => await Cluster.DisposeAsync();
}
