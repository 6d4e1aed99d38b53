using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Streams;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// Spreads the partition queues evenly over the active silos: queues and silos in a stable order, queue i to silo i mod n. When a
/// silo joins or leaves, every silo recomputes its share from the same membership view, so a stopped silo's partitions move to the
/// others. (The consistent-ring balancer can leave a silo with none or all of a few queues; this one cannot.)
/// </summary>
public sealed class KafkaPartitionBalancer(IServiceProvider services, ILogger<KafkaPartitionBalancer> logger)
    : QueueBalancerBase(services, logger)
{
    private readonly IClusterMembershipService _membership = services.GetRequiredService<IClusterMembershipService>();
    private QueueId[] _queues = [];
    private SiloAddress[] _activeSilos = [];

    public override Task Initialize(IStreamQueueMapper queueMapper)
    {
        _queues = queueMapper.GetAllQueues().Order().ToArray();
        _activeSilos = _membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active)
            .Select(m => m.SiloAddress)
            .ToArray();
        return base.Initialize(queueMapper);
    }

    public override IEnumerable<QueueId> GetMyQueues()
    {
        var silos = _activeSilos.Append(SiloAddress)
            .Distinct()
            .OrderBy(s => s.ToParsableString(), StringComparer.Ordinal)
            .ToList();
        var index = silos.IndexOf(SiloAddress);
        return _queues.Where((_, i) => i % silos.Count == index).ToArray();
    }

    protected override void OnClusterMembershipChange(HashSet<SiloAddress> activeSilos)
    {
        _activeSilos = [.. activeSilos];
        NotifyListeners().Ignore();
    }
}
