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
}
