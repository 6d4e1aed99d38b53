using System.Net;
using System.Net.Sockets;

namespace TaskService.Testing;

/// <summary>Loopback TCP ports nothing listens on at the moment, for silos, gateways and HTTP servers the tests start.</summary>
public static class FreePorts
{
    /// <summary>One port the operating system just handed out and took back.</summary>
    public static int Next() => Take(1)[0];

    /// <summary>Ports all different from each other: each listener is held until all are chosen.</summary>
    public static int[] Take(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port).ToArray();
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Dispose();
            }
        }
    }
}
