using System.Net;

namespace TaskService.Silo.Hosting;

/// <summary>The identity and endpoints of a silo in a PostgreSQL-backed cluster. Bound from <c>Orleans</c>.</summary>
public sealed class ClusterSettings
{
    /// <summary>Silos with the same cluster id and database form one cluster.</summary>
    public string ClusterId { get; set; } = "task-service";

    /// <summary>Keeps grain state and reminders apart from other services in the same database.</summary>
    public string ServiceId { get; set; } = "task-service";

    public SiloEndpointOptions Endpoints { get; set; } = new();

    /// <summary>The address other silos and clients reach this silo at; by default an address of this machine.</summary>
    public string? AdvertisedIPAddress { get; set; }

    public IPAddress ResolveAdvertisedAddress()
    {
        if (!string.IsNullOrWhiteSpace(AdvertisedIPAddress))
        {
            return IPAddress.TryParse(AdvertisedIPAddress, out var address)
                ? address
                : throw new InvalidOperationException($"Orleans:AdvertisedIPAddress '{AdvertisedIPAddress}' is not an IP address.");
        }

        var host = Dns.GetHostEntry(Dns.GetHostName());
        return host.AddressList.FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && !IPAddress.IsLoopback(a))
            ?? IPAddress.Loopback;
    }
}
