using Npgsql;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// The statements of group commit keep finding their rows by index however small the tables were when PostgreSQL planned
/// them. A prepared statement runs on a generic plan from its sixth run on a connection, made from the statistics of that
/// moment; one made while a table was small scans the whole table and goes on doing so as the table grows.
/// </summary>
public sealed class GroupCommitPlanTests : IAsyncLifetime
{
    private StoreUnderTest _stores = null!;

    public async Task InitializeAsync() => _stores = await StoreUnderTest.CreateAsync(TimeProvider.System);

    public Task DisposeAsync() => _stores.DisposeAsync().AsTask();

    [Fact]
    public async Task AStatementPlannedWhileTheTableWasSmallStillUsesTheIndexOnceTheTableHasGrown()
    {
        await using (var connection = await _stores.GroupCommitSource.OpenConnectionAsync())
        {
            Assert.Contains("Index Only Scan using pk_events_id", await PlanAfterGrowthAsync(connection, "g"));
        }

        // The same steps on a connection of the other source (the API's queries, planned by PostgreSQL's own costs): the plan
        // made while the table was small scans all of it. This is what the group commit source's sessions are kept from.
        await using (var connection = await _stores.DataSource.OpenConnectionAsync())
        {
            Assert.Contains("Seq Scan on events", await PlanAfterGrowthAsync(connection, "d"));
        }
    }

    [Fact]
    public async Task AConnectionStringThatSetsSequentialScansKeepsItsOwnValue()
    {
        var connectionString = new NpgsqlConnectionStringBuilder(_stores.ConnectionString) { Options = "-c enable_seqscan=on" }.ConnectionString;
        await using var source = Hosting.PostgresStoreExtensions.CreateDataSource(connectionString, groupCommit: true);
        await using var connection = await source.OpenConnectionAsync();
        await using var show = new NpgsqlCommand("SHOW enable_seqscan", connection);

        Assert.Equal("on", await show.ExecuteScalarAsync());
    }

    /// <summary>
    /// Leaves main.events with a few analyzed rows, runs an event's look-up by id six times on <paramref name="connection"/>
    /// (prepared, so that the sixth run makes the generic plan), adds 5,000 events without analyzing, and returns the plan
    /// the look-up then runs on.
    /// </summary>
    private async Task<string> PlanAfterGrowthAsync(NpgsqlConnection connection, string prefix)
    {
        await using (var reset = _stores.DataSource.CreateCommand(
            $$"""
            TRUNCATE main.events;
            INSERT INTO main.events (id, "key", payload, "timestamp") SELECT '{{prefix}}-small-' || g, 'k', '{}', g FROM generate_series(1, 20) AS g;
            ANALYZE main.events;
            """))
        {
            await reset.ExecuteNonQueryAsync();
        }

        await using (var prepare = new NpgsqlCommand($"PREPARE lookup_{prefix}(text) AS SELECT EXISTS (SELECT 1 FROM main.events WHERE id = $1)", connection))
        {
            await prepare.ExecuteNonQueryAsync();
        }

        for (var run = 0; run < 6; run++)
        {
            await using var execute = new NpgsqlCommand($"EXECUTE lookup_{prefix}('{prefix}-small-{run + 1}')", connection);
            Assert.Equal(true, await execute.ExecuteScalarAsync());
        }

        await using (var grow = _stores.DataSource.CreateCommand(
            $$"""INSERT INTO main.events (id, "key", payload, "timestamp") SELECT '{{prefix}}-' || g, 'k', '{}', g FROM generate_series(1, 5000) AS g"""))
        {
            await grow.ExecuteNonQueryAsync();
        }

        await using var explain = new NpgsqlCommand($"EXPLAIN (COSTS OFF) EXECUTE lookup_{prefix}('{prefix}-1')", connection);
        await using var reader = await explain.ExecuteReaderAsync();
        var plan = new List<string>();
        while (await reader.ReadAsync())
        {
            plan.Add(reader.GetString(0));
        }

        return string.Join('\n', plan);
    }
}
