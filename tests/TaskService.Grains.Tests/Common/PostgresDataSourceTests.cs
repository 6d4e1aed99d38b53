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
    public async Task TheGroupCommitSourcePlansOnceAndSkipsTheResetTheOtherSourceDoesNeither()
    {
        await using var reads = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p");
        await using var writes = PostgresStoreExtensions.CreateDataSource("Host=127.0.0.1;Username=u;Password=p", groupCommit: true);

        var read = new NpgsqlConnectionStringBuilder(reads.ConnectionString);
        var write = new NpgsqlConnectionStringBuilder(writes.ConnectionString);
        Assert.Null(read.Options);
        Assert.False(read.NoResetOnClose);
        Assert.Equal(PostgresStoreExtensions.GenericPlansOption, write.Options);
        Assert.True(write.NoResetOnClose);
        Assert.Equal(PostgresStoreExtensions.DefaultMaxAutoPrepare, write.MaxAutoPrepare);
    }

    [Fact]
    public async Task TheGroupCommitSourceKeepsTheOptionsAndTheResetAConnectionStringGives()
    {
        await using var writes = PostgresStoreExtensions.CreateDataSource(
            "Host=127.0.0.1;Username=u;Password=p;Options=-c statement_timeout=5000;No Reset On Close=false", groupCommit: true);

        var write = new NpgsqlConnectionStringBuilder(writes.ConnectionString);
        Assert.Equal($"-c statement_timeout=5000 {PostgresStoreExtensions.GenericPlansOption}", write.Options);
        Assert.False(write.NoResetOnClose);
    }
}
