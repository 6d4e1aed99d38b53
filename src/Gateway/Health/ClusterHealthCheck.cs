using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Configuration;

namespace TaskService.Gateway.Health;

/// <summary>
/// Ready when the cluster this gateway is a client of answers: one call to Orleans' management grain, which a silo answers
/// from its own view of the membership, within <see cref="AnswerTimeout"/>.
/// </summary>
public sealed class ClusterHealthCheck(IClusterClient client, IOptions<ClusterOptions> cluster) : IHealthCheck
{
    public const string Name = "orleans-cluster";

    /// <summary>How long a silo has to answer; a probe's own timeout is usually a few seconds more.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var clusterId = cluster.Value.ClusterId;
        try
        {
            var silos = await client.GetGrain<IManagementGrain>(0).GetHosts(onlyActive: true).WaitAsync(AnswerTimeout, cancellationToken);
            return HealthCheckResult.Healthy($"Cluster '{clusterId}' answers; {silos.Count} active silo(s).");
        }
        catch (Exception exception) when (exception is OrleansException or TimeoutException)
        {
            var reason = exception is TimeoutException
                ? $"no silo answered within {AnswerTimeout.TotalSeconds:0} s"
                : $"no silo can be reached ({exception.GetType().Name})";
            return HealthCheckResult.Unhealthy(
                $"Cluster '{clusterId}' does not answer: {reason}. Start its silos, or check this gateway's clustering settings (ConnectionStrings:TaskService and Orleans:ClusterId; without a database, Orleans:Endpoints:GatewayPort).");
        }
    }
}
