using Confluent.Kafka;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;

namespace TaskService.Connectors.Kafka;

/// <summary>Ready when the configured Kafka brokers answer a metadata request within a few seconds.</summary>
public sealed class KafkaHealthCheck(IOptionsMonitor<KafkaOptions> options, string optionsName) : IHealthCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(3);

    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.Run(() => Check(options.Get(optionsName)), cancellationToken);

    private static HealthCheckResult Check(KafkaOptions kafka)
    {
        try
        {
            using var admin = new AdminClientBuilder(KafkaClientConfig.ForAdmin(kafka, "task-service-health")).SetLogHandler((_, _) => { }).Build();
            var metadata = admin.GetMetadata(Timeout);
            return metadata.Brokers.Count > 0
                ? HealthCheckResult.Healthy($"Kafka at {kafka.BootstrapServers} answers with {metadata.Brokers.Count} broker(s).")
                : HealthCheckResult.Unhealthy($"Kafka at {kafka.BootstrapServers} answered with no brokers.");
        }
        catch (KafkaException exception)
        {
            return HealthCheckResult.Unhealthy($"Kafka at {kafka.BootstrapServers} cannot be reached: {exception.Error.Reason}. Check TaskService:Kafka:BootstrapServers.");
        }
    }
}
