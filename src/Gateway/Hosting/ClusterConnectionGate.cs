using TaskService.Errors;

namespace TaskService.Gateway.Hosting;

/// <summary>
/// Answers the routes served by grains (those carrying <see cref="ClusterEndpoint"/>) with 503 and Retry-After while the
/// gateway's client is not connected to its cluster yet, before authentication (an API key is checked by a grain). Health,
/// the OpenAPI document, the web UI and the development token answer as ever.
/// </summary>
public sealed class ClusterConnectionGate(RequestDelegate next, ClusterConnection connection)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (connection.IsConnected || context.GetEndpoint()?.Metadata.GetMetadata<ClusterEndpoint>() is null)
        {
            return next(context);
        }

        // Answered by the exception handler, as every 503 of an unavailable dependency is: a problem document with Retry-After.
        throw TaskServiceException.Unavailable("cluster",
            $"The cluster '{connection.ClusterId}' is not reachable yet: this gateway is still connecting to it, and nothing was done. " +
            "Send the request again after Retry-After; /health/ready says when the gateway is connected.");
    }
}
