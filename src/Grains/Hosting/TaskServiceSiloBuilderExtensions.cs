using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TaskService.Commands;
using TaskService.Common;
using TaskService.Events;
using TaskService.Outgoing;
using TaskService.Security;
using TaskService.Storage;
using TaskService.Tasks;
using TaskService.Storage.InMemory;
using TaskService.Webhooks;
using TaskService.Workflows;
using TaskService.Workflows.Camunda;
using TaskService.Workflows.Embedded;

namespace TaskService.Hosting;

/// <summary>Everything a silo needs to run TaskService's grains; providers are chosen separately.</summary>
public static class TaskServiceSiloBuilderExtensions
{
    /// <summary>Registers the task service: store, commands, outgoing connectors and webhook delivery.</summary>
    public static ISiloBuilder AddTaskService(this ISiloBuilder builder)
    {
        var services = builder.Services;
        if (CamundaWorkflowEngineSetup.IsSelected(builder.Configuration))
        {
            builder.AddCamundaWorkflowEngine();
        }

        CachedGrainInterfaceTypeProvider.AddGrainInterfaceTypeCache(services);
        services.TryAddSingleton<TimeProvider>(MicrosecondTimeProvider.Instance);
        services.AddOptions<LimitsOptions>().BindConfiguration(LimitsOptions.SectionName).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LimitsOptions>, LimitsOptionsValidator>());
        services.TryAddSingleton<ITaskServiceStore, InMemoryTaskServiceStore>();
        services.TryAddSingleton<IWorkflowEngine, EmbeddedWorkflowEngine>();
        services.TryAddSingleton<WorkflowDefinitions>();
        services.TryAddSingleton<EmbeddedStarter>();
        services.AddOptions<WorkflowEngineOptions>()
            .BindConfiguration(WorkflowEngineOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<IOutgoingEventPublisher, OutboxPublisher>();
        services.TryAddSingleton<OutboxDispatcher>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxDispatcher>());
        services.AddMetrics();
        services.TryAddSingleton<OutboxInstruments>();
        services.AddHostedService(sp => sp.GetRequiredService<OutboxInstruments>());
        services.AddOptions<OutboxOptions>()
            .BindConfiguration(OutboxOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddSingleton<IOutgoingConnector, WebhookConnector>();
        services.AddHostedService<UnroutedEventSweeper>();
        services.TryAddSingleton<RoutingBacklog>();
        services.TryAddSingleton<EventsBeingRecorded>();
        services.TryAddSingleton<LocalEventIngress>();
        services.TryAddSingleton<IEventIngress>(sp => sp.GetRequiredService<LocalEventIngress>());
        services.TryAddSingleton<RoutedEventMarker>();
        services.AddHostedService(sp => sp.GetRequiredService<RoutedEventMarker>());
        services.AddOptions<EventRoutingOptions>()
            .BindConfiguration(EventRoutingOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.TryAddSingleton<TaskCreator>();
        services.AddSingleton<IExternalTaskCommand, CreateTasksCommand>();
        services.AddSingleton<IExternalTaskCommand, EndTaskCommand>();
        services.TryAddSingleton<CommandRegistry>();

        services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.SectionName)
            .ValidateDataAnnotations()
            .Validate(o => o.AllowedHosts.TrueForAll(WebhookUrlPolicy.IsValidAllowedHost),
                $"{WebhookOptions.SectionName}:AllowedHosts holds an entry that is neither a host name, an IP address nor a CIDR range.")
            .ValidateOnStart();
        services.TryAddSingleton<IWebhookHostResolver, DnsWebhookHostResolver>();
        services.TryAddSingleton<WebhookUrlPolicy>();

        // Every connection a delivery opens goes through the URL policy, on the address actually connected (DNS rebinding).
        // Deliveries are logged by their subscription (TaskService.Webhooks), not by the client's own handlers.
        services.AddHttpClient(WebhookSender.HttpClientName)
            .RemoveAllLoggers()
            .ConfigurePrimaryHttpMessageHandler(provider => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AllowAutoRedirect = false,
                ConnectCallback = provider.GetRequiredService<WebhookUrlPolicy>().ConnectAsync,
            });
        services.TryAddSingleton<WebhookSender>();
        services.AddOptions<SecretOptions>().BindConfiguration(SecretOptions.SectionName);
        services.TryAddSingleton<ISecretProtector, AesGcmSecretProtector>();
        services.AddHealthChecks().AddCheck<ClientAppSecretsHealthCheck>(ClientAppSecretsHealthCheck.Name, tags: ["ready"]);
        return builder;
    }

    /// <summary>
    /// Registers an application's own command for an external-task topic. Workflows reach it through a service task (or external
    /// message event) with <c>camunda:type="external"</c> and <c>camunda:topic</c> equal to the command's <see cref="IExternalTaskCommand.Topic"/>.
    /// </summary>
    public static ISiloBuilder AddExternalTaskCommand<TCommand>(this ISiloBuilder builder)
        where TCommand : class, IExternalTaskCommand
    {
        builder.Services.AddSingleton<IExternalTaskCommand, TCommand>();
        return builder;
    }

    /// <summary>
    /// The incoming-event stream provider of the embedded defaults, in the place Kafka takes when it is configured (events taken
    /// over HTTP go to the event routers directly, not through a stream). Polled every 20 ms (Orleans' default is 100 ms, which
    /// would add up to a tenth of a second to every event it carries); events are recorded before they enter a stream, and the
    /// unrouted-event sweeper routes again what a lost queue held.
    /// </summary>
    public static ISiloBuilder AddIncomingEventStreams(this ISiloBuilder builder) =>
        builder.AddMemoryStreams(StreamNames.Provider, streams =>
        {
            streams.ConfigurePartitioning(4);
            streams.ConfigurePullingAgent(agent => agent.Configure(options => options.GetQueueMsgsTimerPeriod = TimeSpan.FromMilliseconds(20)));
        });

    /// <summary>The embedded default providers: memory streams, grain storage and reminders. Nothing to install.</summary>
    public static ISiloBuilder UseEmbeddedProviders(this ISiloBuilder builder)
    {
        builder.AddMemoryGrainStorage("PubSubStore");
        builder.AddMemoryGrainStorage(WebhookSubscriptionGrain.StorageName);
        builder.AddIncomingEventStreams();
        builder.UseInMemoryReminderService();

        // Nothing outlives the process here, so a random key is enough when none is configured.
        builder.Services.PostConfigure<SecretOptions>(options => options.AllowEphemeralKey = true);
        return builder;
    }
}
