using System.Net;
using System.Net.Sockets;
using TaskService.ClientApps;
using TaskService.Errors;
using TaskService.Events;
using TaskService.Grains.Tests.Engine;
using TaskService.Security;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Webhooks;

namespace TaskService.Grains.Tests.Webhooks;

/// <summary>The silo's webhook client connects only through the URL policy (the test cluster holds loopback to the production rule).</summary>
[Collection(ClusterCollection.Name)]
public sealed class WebhookRebindingTests(ClusterFixture fixture)
{
    [Fact]
    public async Task ANameThatResolvesToLoopbackAfterSubscribingIsUndeliverableAndNothingConnects()
    {
        using var receiver = new TcpListener(IPAddress.Loopback, 0);
        receiver.Start();
        var port = ((IPEndPoint)receiver.LocalEndpoint).Port;
        var host = $"rebind-{Guid.NewGuid():N}.test";
        ClusterFixture.HostNames.Names[host] = [IPAddress.Parse("93.184.216.34")];
        var subscription = await SubscribeAsync($"http://{host}:{port}/hook");

        ClusterFixture.HostNames.Names[host] = [IPAddress.Loopback];
        await subscription.EnqueueAsync(NewEvent());

        var stats = await Eventually.ReturnsAsync(subscription.GetDeliveryStatsAsync, s => s.Failed > 0);
        Assert.Equal(0, stats.Delivered);
        Assert.Equal(0, stats.Pending);
        Assert.Contains("loopback", stats.LastError, StringComparison.Ordinal);
        Assert.False(receiver.Pending(), "the refused delivery connected to the loopback receiver");
        await subscription.DeleteAsync();
    }

    [Fact]
    public async Task SubscribingToANameThatResolvesToTheMetadataAddressIs400NamingUrl()
    {
        var host = $"metadata-{Guid.NewGuid():N}.test";
        ClusterFixture.HostNames.Names[host] = [IPAddress.Parse("169.254.169.254")];

        var exception = await Assert.ThrowsAsync<TaskServiceException>(() => SubscribeAsync($"http://{host}/latest/meta-data/"));

        Assert.Equal(TaskServiceErrorKind.Invalid, exception.Kind);
        Assert.Equal("url", exception.Target);
        Assert.Contains("link-local", exception.Message, StringComparison.Ordinal);
    }

    private async Task<IWebhookSubscriptionGrain> SubscribeAsync(string url)
    {
        var appId = $"app-{Guid.NewGuid():N}";
        await fixture.SiloService<ITaskServiceStore>().TryAddClientAppAsync(new ClientAppRow(
            new ClientAppRecord { Id = appId, Name = appId, ApiKey = $"key-{appId}", CreatedOn = DateTimeOffset.UtcNow },
            fixture.SiloService<ISecretProtector>().Protect("secret")));
        var subscription = fixture.Grains.GetGrain<IWebhookSubscriptionGrain>($"sub-{Guid.NewGuid():N}");
        (await subscription.CreateAsync(url, "task-created", appId)).OrThrow();
        return subscription;
    }

    private static OutgoingEvent NewEvent() => new()
    {
        Id = Guid.NewGuid().ToString("N"),
        Key = "task-created",
        Payload = JsonElementFactory.Parse("{}"),
        Timestamp = 1,
    };
}
