using Microsoft.Extensions.Logging.Abstractions;
using TaskService.Storage.Postgres;

namespace TaskService.Postgres.Tests;

/// <summary>A fresh database with every migration applied, shared by the tests of a class and dropped after them.</summary>
public sealed class MigratedDatabase : IAsyncLifetime
{
    public string ConnectionString { get; private set; } = "";

    /// <summary>What the migration of the empty database did.</summary>
    public MigrationResult Migration { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        ConnectionString = await PostgresServer.CreateDatabaseAsync("migrated");
        Migration = await DatabaseMigrator.MigrateAsync(ConnectionString, NullLogger.Instance);
    }

    public Task DisposeAsync() => PostgresServer.DropDatabaseAsync(ConnectionString);
}
