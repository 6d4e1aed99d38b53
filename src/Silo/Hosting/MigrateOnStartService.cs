using TaskService.Storage.Postgres;

namespace TaskService.Silo.Hosting;

/// <summary>
/// Applies the PostgreSQL migrations before the silo starts, when <c>TaskService:Database:MigrateOnStart</c> is true. Registered
/// ahead of Orleans, so the clustering and storage tables exist by the time the silo needs them. Migrations take an advisory
/// lock, so silos starting together apply each script once.
/// </summary>
public sealed class MigrateOnStartService(string connectionString, ILogger<MigrateOnStartService> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken) =>
        await DatabaseMigrator.MigrateAsync(connectionString, logger, cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
