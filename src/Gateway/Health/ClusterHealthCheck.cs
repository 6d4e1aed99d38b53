using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using TaskService.Gateway.Hosting;

namespace TaskService.Gateway.Health;

/// <summary>
/// Ready when the cluster this gateway is a client of answers: one call to Orleans' management grain, which a silo answers
/// from its own view of the membership, within <see cref="AnswerTimeout"/>. Unhealthy without a call while the client has not
/// connected yet (<see cref="ClusterConnection"/>), with the reason its last attempt failed.
/// </summary>
public sealed class ClusterHealthCheck(IClusterClient client, IOptions<ClusterOptions> cluster, ClusterConnection connection) : IHealthCheck
{
    public const string Name = "orleans-cluster";

    /// <summary>How long a silo has to answer; a probe's own timeout is usually a few seconds more.</summary>
    public static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(3);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var clusterId = cluster.Value.ClusterId;
        if (!connection.IsConnected)
        {
            // No grain call can be made before the client is connected; it keeps trying in the background.
            var reason = connection.LastFailure is { } failure ? $"this gateway is not connected to it yet ({failure.TrimEnd('.')})" : "this gateway is still connecting to it";
            return HealthCheckResult.Unhealthy($"Cluster '{clusterId}' does not answer: {reason}. {ClusterConnection.WhatToCheck}");
        }

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
                $"Cluster '{clusterId}' does not answer: {reason}. {ClusterConnection.WhatToCheck}");
        }
    }
}
