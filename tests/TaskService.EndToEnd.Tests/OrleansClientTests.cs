using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using TaskService.Events;
using TaskService.Queries;
using TaskService.Serialization;

namespace TaskService.EndToEnd.Tests;

/// <summary>An application that talks to TaskService in-process as an Orleans client, built on GrainInterfaces alone.</summary>
[Collection(ServiceCollection.Name)]
public sealed class OrleansClientTests(ServiceProcess service)
{
    [Fact]
    public async Task AClientOutsideTheSiloTriggersAnEventAndReadsItBack()
    {
        var builder = Host.CreateApplicationBuilder();
        builder.UseOrleansClient(client => client.UseLocalhostClustering(ServiceProcess.OrleansGatewayPort));
        using var host = builder.Build();
        await host.StartAsync();
        var grains = host.Services.GetRequiredService<IClusterClient>();

        var id = Guid.NewGuid().ToString();
        var key = $"client.{Guid.NewGuid():N}";
        await grains.GetGrain<IEventIngressGrain>(0).PublishAsync(new EventRecord
        {
            Id = id,
            Key = key,
            Payload = JsonElementFactory.Parse("""{"order":{"id":42,"lines":[1,2]}}"""),
            Source = "orleans-client",
            Timestamp = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
        });

        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(20);
        System.Text.Json.JsonElement? row;
        while ((row = await grains.GetGrain<IQueryGrain>(0).GetAsync(EntityKind.Event, id, null)) is null)
        {
            Assert.True(DateTime.UtcNow < deadline, $"The event was not recorded within 20 s. Service output:\n{service.Output}");
            await Task.Delay(50);
        }

        Assert.Equal(key, row.Value.GetProperty("key").GetString());
        Assert.Equal(42, row.Value.GetProperty("payload").GetProperty("order").GetProperty("id").GetInt32());
        Assert.Equal(1, await grains.GetGrain<IQueryGrain>(0).CountAsync(EntityKind.Event, new ConditionNode(["key"], FilterOperator.Eq, JsonElementFactory.From(key))));
        await host.StopAsync();
    }
}
