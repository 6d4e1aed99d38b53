using System.Net;

namespace TaskService.Webhooks;

/// <summary>Resolves webhook host names to addresses (DNS by default); the URL policy checks every address it returns.</summary>
public interface IWebhookHostResolver
{
    Task<IPAddress[]> ResolveAsync(string host, CancellationToken cancellationToken);
}
