using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using TaskService.Outgoing;

namespace TaskService.Connectors.Sqs;

/// <summary>Registers the SQS receivers (incoming) and the SQS outgoing connector from configuration.</summary>
public static class SqsSiloBuilderExtensions
{
    /// <summary>
    /// SQS as configured in <c>TaskService:Sqs</c>: with <c>Incoming:Enabled</c> every silo receives from the incoming queues into the
    /// event router; with <c>Outgoing:Enabled</c> lifecycle events are also sent to the outgoing queue. Either, both or neither.
    /// </summary>
    public static ISiloBuilder AddTaskServiceSqs(this ISiloBuilder silo, IConfiguration configuration)
    {
        var section = configuration.GetSection(SqsOptions.SectionName);
        var options = section.Get<SqsOptions>() ?? new SqsOptions();
        if (!options.Incoming.Enabled && !options.Outgoing.Enabled)
        {
            return silo;
        }

        silo.Services.AddOptions<SqsOptions>().Bind(section).ValidateOnStart();
        silo.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<SqsOptions>, SqsOptionsValidator>());
        if (options.Incoming.Enabled)
        {
            silo.Services.TryAddSingleton<ISqsEventSink, IngressEventSink>();
            silo.Services.AddHostedService<SqsReceiver>();
        }

        if (options.Outgoing.Enabled)
        {
            silo.Services.TryAddSingleton<SqsOutgoingConnector>();
            silo.Services.AddSingleton<IOutgoingConnector>(services => services.GetRequiredService<SqsOutgoingConnector>());
        }

        silo.Services.TryAddSingleton<SqsHealthCheck>();
        silo.Services.AddHealthChecks().Add(new Microsoft.Extensions.Diagnostics.HealthChecks.HealthCheckRegistration(
            "sqs", services => services.GetRequiredService<SqsHealthCheck>(), failureStatus: null, tags: null, timeout: TimeSpan.FromSeconds(5)));

        return silo;
    }
}
