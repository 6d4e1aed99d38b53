using Npgsql;
using TaskService.Hosting;

namespace TaskService.Postgres.Tests.Store;

/// <summary>
/// The store's two data sources on a real server: group commit's sessions plan each prepared statement once for all values, the
/// API's queries keep a plan for their values.
/// </summary>
public sealed class GroupCommitSourceTests(MigratedDatabase database) : IClassFixture<MigratedDatabase>
{
    [Fact]
    public async Task GroupCommitSessionsForceGenericPlansAndTheQuerySessionsLeaveThePlannerToChoose()
    {
        await using var reads = PostgresStoreExtensions.CreateDataSource(database.ConnectionString);
        await using var writes = PostgresStoreExtensions.CreateDataSource(database.ConnectionString, groupCommit: true);

        Assert.Equal("auto", await PlanCacheModeAsync(reads));
        Assert.Equal("force_generic_plan", await PlanCacheModeAsync(writes));

        // Without the reset on return, a connection the pool hands out again still has the setting (it is a startup option).
        Assert.Equal("force_generic_plan", await PlanCacheModeAsync(writes));
    }

    private static async Task<string?> PlanCacheModeAsync(NpgsqlDataSource dataSource)
    {
        await using var command = dataSource.CreateCommand("SHOW plan_cache_mode");
        return await command.ExecuteScalarAsync() as string;
    }
}
