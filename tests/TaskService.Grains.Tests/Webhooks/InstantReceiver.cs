using System.Collections.Concurrent;
using System.Net;

namespace TaskService.Grains.Tests.Webhooks;

/// <summary>
/// Sits in front of the silo's webhook HTTP client and answers 204 itself, before any await, for requests to
/// <see cref="Host"/>; it counts them by <c>webhook-id</c>. Other requests go on to the network as usual.
/// </summary>
public sealed class InstantReceiver : DelegatingHandler
{
    /// <summary>The host name whose deliveries are answered at once.</summary>
    public const string Host = "instant.receiver.test";

    /// <summary>Requests answered, by event id.</summary>
    public static ConcurrentDictionary<string, int> Received { get; } = new(StringComparer.Ordinal);

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (request.RequestUri?.Host != Host)
        {
            return base.SendAsync(request, cancellationToken);
        }

        var eventId = request.Headers.TryGetValues("webhook-id", out var ids) ? ids.Single() : "";
        Received.AddOrUpdate(eventId, 1, (_, count) => count + 1);
        return Task.FromResult(new HttpResponseMessage(HttpStatusCode.NoContent) { RequestMessage = request });
    }
}
