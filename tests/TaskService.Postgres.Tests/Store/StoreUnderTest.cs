using System.Text.Json;
using Npgsql;
using TaskService.Hosting;
using TaskService.Serialization;
using TaskService.Storage;
using TaskService.Storage.InMemory;
using TaskService.Storage.Postgres;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// The PostgreSQL store over a migrated database, beside the in-memory store as the reference that must answer the same calls
/// the same way, both on one clock. Either over a database the tests of a class share (<see cref="Over"/>) or over a database
/// of its own (<see cref="CreateAsync"/>), dropped on disposal.
/// </summary>
public sealed class StoreUnderTest : IAsyncDisposable
{
    private readonly MigratedDatabase? _ownDatabase;

    private StoreUnderTest(string connectionString, TimeProvider time, MigratedDatabase? ownDatabase)
    {
        // The data sources the silo makes: statements prepared once used often, and group commit on plans made once.
        DataSource = PostgresStoreExtensions.CreateDataSource(connectionString);
        GroupCommitSource = PostgresStoreExtensions.CreateDataSource(connectionString, groupCommit: true);
        Store = new PostgresTaskServiceStore(DataSource, time, GroupCommitSource);
        Reference = new InMemoryTaskServiceStore(time);
        ConnectionString = connectionString;
        _ownDatabase = ownDatabase;
    }

    public NpgsqlDataSource DataSource { get; }

    /// <summary>The connection string of the database under test.</summary>
    public string ConnectionString { get; }

    /// <summary>The data source of the store's group commit.</summary>
    public NpgsqlDataSource GroupCommitSource { get; }

    /// <summary>The store under test.</summary>
    public PostgresTaskServiceStore Store { get; }

    /// <summary>The in-memory store, whose answers are the expected ones.</summary>
    public InMemoryTaskServiceStore Reference { get; }

    /// <summary>The stores over a database the tests of a class share, on the system clock.</summary>
    public static StoreUnderTest Over(MigratedDatabase database) => new(database.ConnectionString, TimeProvider.System, ownDatabase: null);

    /// <summary>The stores over a fresh migrated database of their own, on <paramref name="time"/>.</summary>
    public static async Task<StoreUnderTest> CreateAsync(TimeProvider time)
    {
        var database = new MigratedDatabase();
        await database.InitializeAsync();
        return new StoreUnderTest(database.ConnectionString, time, database);
    }

    /// <summary>Runs the same call on PostgreSQL, then on the in-memory store.</summary>
    public async Task BothAsync(Func<ITaskServiceStore, Task> action)
    {
        await action(Store);
        await action(Reference);
    }

    /// <summary>Runs the same call on both stores and returns PostgreSQL's answer, after checking the in-memory store gave the same.</summary>
    public async Task<T> SameAnswerAsync<T>(Func<ITaskServiceStore, Task<T>> action)
    {
        var actual = await action(Store);
        var expected = await action(Reference);
        Assert.Equal(JsonSerializer.Serialize(expected, ContractJson.Options), JsonSerializer.Serialize(actual, ContractJson.Options));
        return actual;
    }

    public async ValueTask DisposeAsync()
    {
        await DataSource.DisposeAsync();
        await GroupCommitSource.DisposeAsync();
        if (_ownDatabase is not null)
        {
            await _ownDatabase.DisposeAsync();
        }
    }
}
