using TaskService.Grains.Tests.Engine;
using TaskService.Webhooks;

namespace TaskService.Grains.Tests.Webhooks;

/// <summary>The HTTP client the silo delivers webhooks with: every connection through the URL policy, and no redirect followed.</summary>
[Collection(ClusterCollection.Name)]
public sealed class WebhookClientTests(ClusterFixture fixture)
{
    [Fact]
    public void TheDeliveryClientFollowsNoRedirectAndConnectsThroughTheUrlPolicy()
    {
        var handler = fixture.SiloService<IHttpMessageHandlerFactory>().CreateHandler(WebhookSender.HttpClientName);
        while (handler is DelegatingHandler delegating)
        {
            handler = delegating.InnerHandler!;
        }

        var sockets = Assert.IsType<SocketsHttpHandler>(handler);
        Assert.False(sockets.AllowAutoRedirect, "a receiver could redirect a delivery to an address the policy refuses");
        Assert.NotNull(sockets.ConnectCallback);
    }

    [Fact]
    public void TheDeliveryClientHasNoLoggingHandlersOfItsOwn()
    {
        // Each delivery is logged by the subscription grain (TaskService.Webhooks); the factory's handlers cost a scope and
        // their state per POST even when their level is off.
        var handlers = new List<HttpMessageHandler>();
        var handler = fixture.SiloService<IHttpMessageHandlerFactory>().CreateHandler(WebhookSender.HttpClientName);
        while (handler is DelegatingHandler delegating)
        {
            handlers.Add(delegating);
            handler = delegating.InnerHandler!;
        }

        Assert.DoesNotContain(handlers, h => h.GetType().Namespace == "Microsoft.Extensions.Http.Logging");
    }
}
