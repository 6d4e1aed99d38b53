using Npgsql;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// The statements of group commit keep finding their rows by index however small the tables were when PostgreSQL planned
/// them. A prepared statement runs on a generic plan from its sixth run on a connection, made from the statistics of that
/// moment; one made while a table was small scans the whole table and goes on doing so as the table grows. And they plan
/// each prepared statement once, not anew at runs where PostgreSQL's own plan for the run looks cheaper.
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
    public async Task TheGroupCommitSourcePlansAPreparedStatementOnceAndTheOtherSourcePlansItsFirstRunsAnew()
    {
        await using (var connection = await _stores.GroupCommitSource.OpenConnectionAsync())
        {
            Assert.Equal((Custom: 0L, Generic: 8L), await PlansOfEightRunsAsync(connection));
        }

        // PostgreSQL's default: a plan of its own for each of the first five runs at least.
        await using (var connection = await _stores.DataSource.OpenConnectionAsync())
        {
            Assert.True((await PlansOfEightRunsAsync(connection)).Custom >= 5);
        }
    }

    [Theory]
    [InlineData("enable_seqscan", "on")]
    [InlineData("plan_cache_mode", "force_custom_plan")]
    public async Task AConnectionStringThatSetsOneOfTheSessionsSettingsKeepsItsOwnValue(string setting, string value)
    {
        var connectionString = new NpgsqlConnectionStringBuilder(_stores.ConnectionString) { Options = $"-c {setting}={value}" }.ConnectionString;
        await using var source = Hosting.PostgresStoreExtensions.CreateDataSource(connectionString, groupCommit: true);
        await using var connection = await source.OpenConnectionAsync();
        await using var show = new NpgsqlCommand($"SHOW {setting}", connection);

        Assert.Equal(value, await show.ExecuteScalarAsync());
    }

    /// <summary>Runs a prepared count of events by key eight times on <paramref name="connection"/>; how its runs were planned.</summary>
    private static async Task<(long Custom, long Generic)> PlansOfEightRunsAsync(NpgsqlConnection connection)
    {
        await using (var prepare = new NpgsqlCommand("PREPARE by_key(text) AS SELECT count(*) FROM main.events WHERE \"key\" = $1", connection))
        {
            await prepare.ExecuteNonQueryAsync();
        }

        for (var run = 0; run < 8; run++)
        {
            await using var execute = new NpgsqlCommand($"EXECUTE by_key('k{run}')", connection);
            await execute.ExecuteScalarAsync();
        }

        (long Custom, long Generic) counts;
        await using (var plans = new NpgsqlCommand("SELECT custom_plans, generic_plans FROM pg_prepared_statements WHERE name = 'by_key'", connection))
        await using (var reader = await plans.ExecuteReaderAsync())
        {
            Assert.True(await reader.ReadAsync());
            counts = (reader.GetInt64(0), reader.GetInt64(1));
        }

        await using (var deallocate = new NpgsqlCommand("DEALLOCATE by_key", connection))
        {
            await deallocate.ExecuteNonQueryAsync();
        }

        return counts;
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
