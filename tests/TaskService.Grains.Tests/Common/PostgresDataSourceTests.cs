using Npgsql;
using TaskService.Hosting;

namespace TaskService.Grains.Tests.Common;

/// <summary>The store's data source keeps the statements it runs often prepared, unless the connection string decides.</summary>
public sealed class PostgresDataSourceTests
{
    [Fact]
    public async Task StatementsArePreparedAutomaticallyByDefault()
    {
        await using var dataSource = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p");

        Assert.Equal(PostgresStoreExtensions.DefaultMaxAutoPrepare, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxAutoPrepare);
    }

    [Theory]
    [InlineData("Max Auto Prepare=0", 0)]
    [InlineData("max auto prepare=5", 5)]
    [InlineData("MaxAutoPrepare=7", 7)]
    public async Task AConnectionStringThatSetsItKeepsItsOwnValue(string setting, int expected)
    {
        await using var dataSource = PostgresStoreExtensions.CreateDataSource($"Host=127.0.0.1;Username=u;Password=p;{setting}");

        Assert.Equal(expected, new NpgsqlConnectionStringBuilder(dataSource.ConnectionString).MaxAutoPrepare);
    }

    [Fact]
    public async Task TheGroupCommitSourceSkipsTheResetAndHoldsAConnectionPerBatchTheOtherSourceDoesNeither()
    {
        await using var reads = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p");
        await using var writes = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p", groupCommit: true);

        var read = new NpgsqlConnectionStringBuilder(reads.ConnectionString);
        var write = new NpgsqlConnectionStringBuilder(writes.ConnectionString);
        Assert.False(read.NoResetOnClose);
        Assert.True(write.NoResetOnClose);
        Assert.Equal(PostgresStoreExtensions.DefaultMaxAutoPrepare, write.MaxAutoPrepare);
        Assert.Equal(TaskService.Storage.Postgres.PostgresTaskServiceStore.GroupCommitConnections, write.MaxPoolSize);
        Assert.Equal(new NpgsqlConnectionStringBuilder().MaxPoolSize, read.MaxPoolSize);
    }

    [Fact]
    public async Task TheGroupCommitSourceWritesFromALargerBufferUnlessTheConnectionStringSetsOne()
    {
        await using var reads = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p");
        await using var writes = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p", groupCommit: true);
        await using var chosen = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p;Write Buffer Size=16384", groupCommit: true);

        Assert.Equal(new NpgsqlConnectionStringBuilder().WriteBufferSize, new NpgsqlConnectionStringBuilder(reads.ConnectionString).WriteBufferSize);
        Assert.Equal(PostgresStoreExtensions.DefaultGroupCommitWriteBufferSize, new NpgsqlConnectionStringBuilder(writes.ConnectionString).WriteBufferSize);
        Assert.Equal(16384, new NpgsqlConnectionStringBuilder(chosen.ConnectionString).WriteBufferSize);
    }

    [Fact]
    public async Task OnlyTheGroupCommitSourceTurnsSequentialScansOffAndPlansOnceAndKeepsTheOptionsAConnectionStringGives()
    {
        await using var reads = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p");
        await using var writes = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p;Options=-c statement_timeout=5000", groupCommit: true);
        await using var scans = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p;Options=-c enable_seqscan=on", groupCommit: true);
        await using var plans = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p;Options=-c plan_cache_mode=auto", groupCommit: true);

        Assert.Null(new NpgsqlConnectionStringBuilder(reads.ConnectionString).Options);
        Assert.Equal("-c statement_timeout=5000 -c enable_seqscan=off -c plan_cache_mode=force_generic_plan", new NpgsqlConnectionStringBuilder(writes.ConnectionString).Options);
        Assert.Equal("-c enable_seqscan=on -c plan_cache_mode=force_generic_plan", new NpgsqlConnectionStringBuilder(scans.ConnectionString).Options);
        Assert.Equal("-c plan_cache_mode=auto -c enable_seqscan=off", new NpgsqlConnectionStringBuilder(plans.ConnectionString).Options);
    }

    [Fact]
    public async Task TheGroupCommitSourceKeepsTheResetAndPoolSizeAConnectionStringGives()
    {
        await using var writes = PostgresStoreExtensions.CreateDataSource(
            "Host=127.0.0.1;Username=u;Password=p;No Reset On Close=false;Maximum Pool Size=9", groupCommit: true);

        var write = new NpgsqlConnectionStringBuilder(writes.ConnectionString);
        Assert.False(write.NoResetOnClose);
        Assert.Equal(9, write.MaxPoolSize);
    }
}
