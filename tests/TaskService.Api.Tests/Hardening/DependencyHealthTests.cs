using System.Net;

namespace TaskService.Api.Tests.Hardening;

/// <summary>Readiness looks at every configured dependency: Kafka configured but unreachable makes it Unhealthy, saying why.</summary>
public sealed class DependencyHealthTests : IAsyncLifetime
{
    private readonly TaskServiceApiFactory _factory = new()
    {
        Overrides =
        {
            ["TaskService:Kafka:BootstrapServers"] = "127.0.0.1:1",
            ["TaskService:Kafka:Outgoing:Enabled"] = "true",
            ["TaskService:Kafka:Outgoing:Topic"] = "task-events",
        },
    };

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync() => await _factory.DisposeAsync();

    [Fact]
    public async Task KafkaConfiguredButUnreachableMakesReadinessUnhealthyWithTheReason()
    {
        var client = _factory.CreateAnonymousClient();
        var response = await client.GetAsync("/health/ready");
        var report = await response.ReadJsonAsync(HttpStatusCode.ServiceUnavailable);
        Assert.Equal("Unhealthy", report.GetProperty("status").GetString());
        var kafka = Assert.Single(report.GetProperty("checks").EnumerateArray(), c => c.GetProperty("name").GetString() == "kafka");
        Assert.Equal("Unhealthy", kafka.GetProperty("status").GetString());
        Assert.Contains("127.0.0.1:1", kafka.GetProperty("description").GetString());

        // Liveness is the process alone.
        await (await client.GetAsync("/health/live")).AssertStatusAsync(HttpStatusCode.OK);
    }
}
