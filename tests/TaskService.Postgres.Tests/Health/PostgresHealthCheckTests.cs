using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;
using TaskService.Silo.Health;

namespace TaskService.Postgres.Tests.Health;

/// <summary>Readiness of the store: reachable and migrated, else Unhealthy with the reason and what to do.</summary>
public sealed class PostgresHealthCheckTests(MigratedDatabase migrated) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task AMigratedDatabaseIsHealthy()
    {
        var result = await Check(migrated.ConnectionString);
        Assert.Equal(HealthStatus.Healthy, result.Status);
        Assert.Contains("migrations applied", result.Description);
    }

    [Fact]
    public async Task ADatabaseWithoutMigrationsIsUnhealthyAndSaysToMigrate()
    {
        var empty = await PostgresServer.CreateDatabaseAsync("unmigrated");
        try
        {
            var result = await Check(empty);
            Assert.Equal(HealthStatus.Unhealthy, result.Status);
            Assert.Contains("migrate", result.Description);
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(empty);
        }
    }

    [Fact]
    public async Task AServerThatDoesNotAnswerIsUnhealthyWithTheReason()
    {
        var port = FreePorts.Next();
        var stopped = new NpgsqlConnectionStringBuilder(migrated.ConnectionString) { Port = port, Timeout = 2 }.ConnectionString;

        var result = await Check(stopped);
        Assert.Equal(HealthStatus.Unhealthy, result.Status);
        Assert.Contains("cannot be reached", result.Description);
    }

    private static Task<HealthCheckResult> Check(string connectionString) =>
        new PostgresHealthCheck(connectionString).CheckHealthAsync(new HealthCheckContext
        {
            Registration = new HealthCheckRegistration("postgresql", new PostgresHealthCheck(connectionString), null, null),
        });
}
