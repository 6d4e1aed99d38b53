using Microsoft.Extensions.Diagnostics.HealthChecks;
using Orleans.Runtime;

namespace TaskService.Silo.Health;

/// <summary>Ready when this silo is an active member of its cluster.</summary>
public sealed class SiloStatusHealthCheck(ILocalSiloDetails silo, IClusterMembershipService membership) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        var active = membership.CurrentSnapshot.Members.Count(m => m.Value.Status == SiloStatus.Active);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"Silo {silo.SiloAddress} is active; {active} active silo(s) in the cluster.")
            : HealthCheckResult.Unhealthy($"Silo {silo.SiloAddress} is {status}, not active in its cluster."));
    }
}
