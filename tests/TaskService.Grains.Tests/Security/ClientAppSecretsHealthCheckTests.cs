using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using TaskService.ClientApps;
using TaskService.Events;
using TaskService.Grains.Tests.Engine;
using TaskService.Security;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Webhooks;

namespace TaskService.Grains.Tests.Security;

[Collection(ClusterCollection.Name)]
public sealed class ClientAppSecretsHealthCheckTests(ClusterFixture fixture)
{
    private static readonly string KeyA = Convert.ToBase64String(Enumerable.Range(1, 32).Select(i => (byte)i).ToArray());
    private static readonly string KeyB = Convert.ToBase64String(Enumerable.Range(101, 32).Select(i => (byte)i).ToArray());

    [Fact]
    public async Task AKeyThatCannotDecryptTheStoredSecretsMakesReadinessUnhealthyWithTheReason()
    {
        var store = new InMemoryTaskServiceStore(TimeProvider.System);
        await store.TryAddClientAppAsync(Row("app-1", Protector(KeyA).Protect("secret-1")));
        await store.TryAddClientAppAsync(Row("app-2", Protector(KeyA).Protect("secret-2")));

        var wrong = await new ClientAppSecretsHealthCheck(store, Protector(KeyB)).CheckHealthAsync(new HealthCheckContext());
        var right = await new ClientAppSecretsHealthCheck(store, Protector(KeyA)).CheckHealthAsync(new HealthCheckContext());
        var rotated = await new ClientAppSecretsHealthCheck(store, Protector(KeyB, KeyA)).CheckHealthAsync(new HealthCheckContext());

        Assert.Equal(HealthStatus.Unhealthy, wrong.Status);
        Assert.Contains("cannot decrypt the stored secrets of 2 of 2", wrong.Description, StringComparison.Ordinal);
        Assert.Contains("app-1", wrong.Description, StringComparison.Ordinal);
        Assert.Contains("TaskService:Secrets:Key", wrong.Description, StringComparison.Ordinal);
        Assert.Equal(HealthStatus.Healthy, right.Status);
        Assert.Equal(HealthStatus.Healthy, rotated.Status);
    }

    [Fact]
    public async Task TheCheckIsRegisteredWithTheSilo()
    {
        var health = fixture.SiloService<HealthCheckService>();

        var report = await health.CheckHealthAsync();

        Assert.Contains(ClientAppSecretsHealthCheck.Name, report.Entries.Keys);
    }

    [Fact]
    public async Task ADeliveryThatCannotBeSignedFailsVisiblyAndIsNeverSent()
    {
        // A secret written with a key this silo does not have (a wrong TaskService:Secrets:Key).
        var store = fixture.SiloService<ITaskServiceStore>();
        var appId = $"app-{Guid.NewGuid():N}";
        await store.TryAddClientAppAsync(Row(appId, Protector(KeyB).Protect("secret")));
        var subscription = fixture.Grains.GetGrain<IWebhookSubscriptionGrain>($"sub-{Guid.NewGuid():N}");
        await subscription.CreateAsync("http://93.184.216.34/hook", "task-created", appId);

        await subscription.EnqueueAsync(new OutgoingEvent
        {
            Id = Guid.NewGuid().ToString("N"),
            Key = "task-created",
            Payload = JsonElementFactory.Parse("{}"),
            Timestamp = 1,
        });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
        WebhookDeliveryStats stats;
        while ((stats = await subscription.GetDeliveryStatsAsync()).LastError is null)
        {
            Assert.True(DateTime.UtcNow < deadline, "no delivery attempt was recorded");
            await Task.Delay(20);
        }

        Assert.Contains("cannot be decrypted", stats.LastError, StringComparison.Ordinal);
        Assert.Contains("cannot be signed", stats.LastError, StringComparison.Ordinal);
        Assert.Equal(0, stats.Delivered);
        await subscription.DeleteAsync();
    }

    private static ClientAppRow Row(string id, string protectedSecret) =>
        new(new ClientAppRecord { Id = id, Name = id, ApiKey = $"key-{id}", CreatedOn = DateTimeOffset.UtcNow }, protectedSecret);

    private static AesGcmSecretProtector Protector(string key, params string[] previous) =>
        new(Options.Create(new SecretOptions { Key = key, PreviousKeys = [.. previous] }));
}
