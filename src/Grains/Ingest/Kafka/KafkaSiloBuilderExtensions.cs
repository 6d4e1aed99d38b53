using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Providers;
using TaskService.Outgoing;

namespace TaskService.Connectors.Kafka;

/// <summary>Registers the Kafka stream provider (incoming) and the Kafka outgoing connector from configuration.</summary>
public static class KafkaSiloBuilderExtensions
{
    /// <summary>
    /// Kafka as configured in <c>TaskService:Kafka</c>: with <c>Incoming:Enabled</c> the stream provider <c>kafka</c> reads the
    /// incoming topics into the event router; with <c>Outgoing:Enabled</c> lifecycle events are also published to Kafka. Either,
    /// both or neither; other connectors (webhooks, HTTP ingress) stay as they are.
    /// </summary>
    public static ISiloBuilder AddTaskServiceKafka(this ISiloBuilder silo, IConfiguration configuration)
    {
        var section = configuration.GetSection(KafkaOptions.SectionName);
        var options = section.Get<KafkaOptions>() ?? new KafkaOptions();
        if (options.Incoming.Enabled)
        {
            silo.AddKafkaStreams(KafkaOptions.StreamProviderName, section);
        }

        if (options.Outgoing.Enabled)
        {
            silo.AddKafkaOutgoingConnector(section);
        }

        if (options.Incoming.Enabled || options.Outgoing.Enabled)
        {
            var name = options.Incoming.Enabled ? KafkaOptions.StreamProviderName : Options.DefaultName;
            silo.Services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
                "kafka", services => new KafkaHealthCheck(services.GetRequiredService<IOptionsMonitor<KafkaOptions>>(), name), failureStatus: null, tags: null, timeout: TimeSpan.FromSeconds(5)));
        }

        return silo;
    }

    /// <summary>
    /// Adds a persistent stream provider named <paramref name="name"/> that reads the incoming topics configured in
    /// <paramref name="section"/> (shaped like <c>TaskService:Kafka</c>) into the <see cref="Events.StreamNames.IncomingEvents"/>
    /// namespace, one queue per partition.
    /// </summary>
    public static ISiloBuilder AddKafkaStreams(this ISiloBuilder silo, string name, IConfiguration section)
    {
        AddOptions(silo.Services, name, section);
        silo.AddPersistentStreams(name, KafkaQueueAdapterFactory.Create, stream =>
        {
            stream.ConfigurePartitionBalancing((services, _) => ActivatorUtilities.CreateInstance<KafkaPartitionBalancer>(services));
            stream.ConfigureBackoffProvider((services, providerName) =>
                (IMessageDeliveryBackoffProvider)new KafkaDeliveryBackoff(services.GetRequiredService<IOptionsMonitor<KafkaOptions>>().Get(providerName).Incoming));
            stream.ConfigurePullingAgent(agent => agent.Configure<IOptionsMonitor<KafkaOptions>>((pulling, kafka) =>
            {
                var incoming = kafka.Get(name).Incoming;
                pulling.GetQueueMsgsTimerPeriod = incoming.PollInterval;
                pulling.MaxEventDeliveryTime = new KafkaDeliveryBackoff(incoming).RetryWindow();

                // The cache marks a batch (the messages of one read of a stream) handled when the agent moves past it, which
                // holds for one batch per delivery.
                pulling.BatchContainerBatchSize = 1;
            }));
        });
        return silo;
    }

    /// <summary>Publishes outgoing events to the topic configured in <paramref name="section"/> (shaped like <c>TaskService:Kafka</c>).</summary>
    public static ISiloBuilder AddKafkaOutgoingConnector(this ISiloBuilder silo, IConfiguration section)
    {
        AddOptions(silo.Services, Options.DefaultName, section);
        silo.Services.TryAddSingleton<KafkaOutgoingConnector>();
        silo.Services.AddSingleton<IOutgoingConnector>(services => services.GetRequiredService<KafkaOutgoingConnector>());
        return silo;
    }

    private static void AddOptions(IServiceCollection services, string name, IConfiguration section)
    {
        services.AddOptions<KafkaOptions>(name).Bind(section).ValidateOnStart();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<KafkaOptions>, KafkaOptionsValidator>());
    }
}
