using System.Net;
using System.Net.Sockets;

namespace TaskService.Testing;

/// <summary>
/// Loopback TCP ports nothing listens on at the moment, for silos, gateways and HTTP servers the tests start.
/// </summary>
/// <remarks>
/// Ports come from below the kernel's ephemeral range (<c>/proc/sys/net/ipv4/ip_local_port_range</c>), where the kernel never
/// picks the local port of an outgoing connection. A port from inside that range, free when it was handed out, could be taken
/// by any connection (to PostgreSQL, to another silo) before the server meant for it binds it. Each process walks the range
/// from a random place, one port after the other, so that ports handed out earlier are not handed out again, and processes
/// running side by side rarely meet. Where the range cannot be read, the operating system picks the port.
/// </remarks>
public static class FreePorts
{
    private static readonly (int Low, int High)? Range = ReadRange();
    private static int s_next = Range is { } range ? Random.Shared.Next(range.Low, range.High + 1) : 0;

    /// <summary>One port free at the moment.</summary>
    public static int Next() => Take(1)[0];

    /// <summary>Ports all different from each other, each free at the moment.</summary>
    public static int[] Take(int count)
    {
        if (Range is not { } range)
        {
            return TakeFromTheSystem(count);
        }

        var ports = new int[count];
        var size = range.High - range.Low + 1;
        for (var i = 0; i < count; i++)
        {
            for (var tried = 0; ; tried++)
            {
                if (tried == size)
                {
                    throw new InvalidOperationException($"No free loopback port between {range.Low} and {range.High}.");
                }

                var port = range.Low + (int)((uint)Interlocked.Increment(ref s_next) % (uint)size);
                if (IsFree(port))
                {
                    ports[i] = port;
                    break;
                }
            }
        }

        return ports;
    }

    private static bool IsFree(int port)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        try
        {
            socket.Bind(new IPEndPoint(IPAddress.Loopback, port));
            socket.Listen();
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }

    /// <summary>The ports below the ephemeral range, from 10000; null where the range cannot be read or leaves too few.</summary>
    private static (int Low, int High)? ReadRange()
    {
        const int Lowest = 10_000;
        try
        {
            var parts = File.ReadAllText("/proc/sys/net/ipv4/ip_local_port_range")
                .Split((char[])[' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries);
            var ephemeralLow = int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture);
            return ephemeralLow - 1 - Lowest >= 1_000 ? (Lowest, ephemeralLow - 1) : null;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException or OverflowException)
        {
            return null;
        }
    }

    /// <summary>Ports the operating system hands out and takes back, all different: each listener is held until all are chosen.</summary>
    private static int[] TakeFromTheSystem(int count)
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
