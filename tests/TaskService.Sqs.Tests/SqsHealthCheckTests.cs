using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TaskService.Connectors.Sqs;

namespace TaskService.Sqs.Tests;

/// <summary>The <c>sqs</c> readiness check: ready when every configured queue answers, else not ready naming the queue.</summary>
public sealed class SqsHealthCheckTests
{
    [Fact]
    public async Task ReadyWhenEveryConfiguredQueueAnswersAndNotReadyNamingAMissingOne()
    {
        using var sqs = SqsServer.Client();
        var input = await SqsServer.CreateQueueAsync(sqs, "health");
        var missing = $"missing-{Guid.NewGuid():N}";

        var healthy = await CheckAsync(input.Name, input.Url);
        var unhealthy = await CheckAsync(input.Name, missing);

        Assert.Equal(HealthStatus.Healthy, healthy.Status);
        Assert.Equal(HealthStatus.Unhealthy, unhealthy.Status);
        Assert.Contains(missing, unhealthy.Description, StringComparison.Ordinal);
        Assert.DoesNotContain(input.Name, unhealthy.Description, StringComparison.Ordinal);
    }

    private static async Task<HealthCheckResult> CheckAsync(string incoming, string outgoing)
    {
        using var check = new SqsHealthCheck(Options.Create(new SqsOptions
        {
            ServiceUrl = new Uri(SqsServer.Url),
            Region = SqsServer.Region,
            Incoming = new SqsIncomingOptions { Enabled = true, Queues = [incoming] },
            Outgoing = new SqsOutgoingOptions { Enabled = true, Queue = outgoing },
        }));
        return await check.CheckHealthAsync(new HealthCheckContext());
    }
}
