namespace TaskService.Gateway.Hosting;

/// <summary>Endpoint metadata of a route served by grains: the gateway alone answers it only once connected to its cluster.</summary>
public sealed class ClusterEndpoint
{
    public static readonly ClusterEndpoint Metadata = new();

    private ClusterEndpoint()
    {
    }
}
