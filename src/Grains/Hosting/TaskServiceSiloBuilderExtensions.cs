using Microsoft.Extensions.DependencyInjection;
using Orleans.Hosting;
using Microsoft.Extensions.DependencyInjection.Extensions;
using TaskService.Commands;
using TaskService.Events;
using TaskService.Outgoing;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Webhooks;
using TaskService.Workflows;

namespace TaskService.Hosting;

/// <summary>Everything a silo needs to run TaskService's grains; providers are chosen separately.</summary>
public static class TaskServiceSiloBuilderExtensions
{
    /// <summary>Registers the task service: store, commands, outgoing connectors and webhook delivery.</summary>
    public static ISiloBuilder AddTaskService(this ISiloBuilder builder)
    {
        var services = builder.Services;
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ITaskServiceStore, InMemoryTaskServiceStore>();
        services.TryAddSingleton<IWorkflowEngine, NoWorkflowEngine>();
        services.TryAddSingleton<IOutgoingEventPublisher, OutgoingEventPublisher>();
        services.AddSingleton<IOutgoingConnector, WebhookConnector>();
        services.AddSingleton<IExternalTaskCommand, CreateTasksCommand>();
        services.AddSingleton<IExternalTaskCommand, EndTaskCommand>();
        services.TryAddSingleton<CommandRegistry>();

        services.AddOptions<WebhookOptions>()
            .BindConfiguration(WebhookOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        services.AddHttpClient(WebhookSender.HttpClientName)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                AllowAutoRedirect = false,
            });
        services.TryAddSingleton<WebhookSender>();
        return builder;
    }

    /// <summary>The embedded default providers: memory streams, grain storage and reminders. Nothing to install.</summary>
    public static ISiloBuilder UseEmbeddedProviders(this ISiloBuilder builder)
    {
        builder.AddMemoryGrainStorage("PubSubStore");
        builder.AddMemoryGrainStorage(WebhookSubscriptionGrain.StorageName);
        builder.AddMemoryStreams(StreamNames.Provider);
        builder.UseInMemoryReminderService();
        return builder;
    }
}
