using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using TaskService.Webhooks;

namespace TaskService.Grains.Tests.Engine;

/// <summary>A webhook host resolver whose answers a test sets, and may change (as a DNS rebinding attacker would).</summary>
public sealed class TestHostResolver : IWebhookHostResolver
{
    public ConcurrentDictionary<string, IPAddress[]> Names { get; } = new(StringComparer.Ordinal);

    public Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken) =>
        Names.TryGetValue(host, out var addresses)
            ? Task.FromResult(addresses)
            : Task.FromException<IPAddress[]>(new SocketException((int)SocketError.HostNotFound));
}
