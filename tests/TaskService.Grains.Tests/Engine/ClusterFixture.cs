using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Orleans.TestingHost;
using TaskService.Commands;
using TaskService.Hosting;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Grains.Tests.Engine;

/// <summary>
/// An in-process single-silo cluster on the embedded providers, with test commands registered, its store watched by a
/// <see cref="StoreSpy"/> and its task grain calls by a <see cref="GrainCallRecorder"/>, shared by the engine tests.
/// </summary>
public sealed class ClusterFixture : IAsyncLifetime
{
    public TestCluster Cluster { get; } = new TestClusterBuilder(1).AddSiloBuilderConfigurator<SiloConfigurator>().Build();

    public IGrainFactory Grains => Cluster.GrainFactory;

    /// <summary>The silo's webhook host resolver: names a test maps resolve to its addresses, others do not resolve.</summary>
    public static TestHostResolver HostNames { get; } = new();

    /// <summary>A service of the (single, in-process) silo.</summary>
    public T SiloService<T>()
        where T : notnull =>
        ((InProcessSiloHandle)Cluster.Primary!).SiloHost!.Services.GetRequiredService<T>();

    public Task InitializeAsync() => Cluster.DeployAsync();

    public async Task DisposeAsync() => await Cluster.DisposeAsync();

    private sealed class SiloConfigurator : ISiloConfigurator
    {
        public void Configure(ISiloBuilder siloBuilder)
        {
            siloBuilder.UseEmbeddedProviders().AddTaskService();
            siloBuilder.Services.Replace(ServiceDescriptor.Singleton<IWebhookHostResolver>(HostNames));
            siloBuilder.Services.AddSingleton(services => StoreSpy.Wrap(new InMemoryTaskServiceStore(services.GetRequiredService<TimeProvider>())));
            siloBuilder.Services.Replace(ServiceDescriptor.Singleton(services => (ITaskServiceStore)services.GetRequiredService<StoreSpy>()));
            siloBuilder.Services.AddSingleton<GrainCallRecorder>();
            siloBuilder.Services.AddSingleton<IIncomingGrainCallFilter>(services => services.GetRequiredService<GrainCallRecorder>());
            siloBuilder.Services.AddHttpClient(WebhookSender.HttpClientName).AddHttpMessageHandler(() => new Webhooks.InstantReceiver());

            // The test cluster runs in Development; its webhooks reach no loopback receiver, so hold it to the production rule.
            siloBuilder.Services.Configure<WebhookOptions>(options => options.AllowLoopbackInDevelopment = false);
            siloBuilder.AddExternalTaskCommand<ScriptedCommand>().AddExternalTaskCommand<ReadDataCommand>();
            siloBuilder.Services.Configure<TaskService.Events.EventRoutingOptions>(options =>
            {
                options.SweepInterval = TimeSpan.FromMilliseconds(100);
                options.RoutingGracePeriod = TimeSpan.FromMilliseconds(200);
            });
            siloBuilder.Services.Configure<WorkflowEngineOptions>(options =>
            {
                options.CommandRetries = 3;
                options.RetryBackoff = TimeSpan.FromMilliseconds(20);
                options.MaxRetryBackoff = TimeSpan.FromMilliseconds(100);
                options.StartWaitForCommands = TimeSpan.FromSeconds(2);
            });
        }
    }
}
