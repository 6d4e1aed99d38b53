using Npgsql;
using Orleans.Runtime;
using TaskService.Gateway.Hosting;

namespace TaskService.Api.Tests.Hardening;

/// <summary>
/// Which failures the gateway running alone waits out while it connects to its cluster, and which end it: waiting cures a
/// cluster or database not reachable yet and clustering tables a silo's migrations have not created yet, not refused
/// credentials or a missing database.
/// </summary>
public sealed class ClusterConnectionRetryTests
{
    [Fact]
    public void MissingClusteringTablesAreWaitedForWithAWarningThatSaysToRunTheMigrations()
    {
        var missing = new OrleansException("Membership table query failed",
            new PostgresException("relation \"orleansmembershiptable\" does not exist", "ERROR", "ERROR", PostgresErrorCodes.UndefinedTable));

        var whatToCheck = ClusterConnection.WhatToCheckWhileWaiting(missing);

        Assert.NotNull(whatToCheck);
        Assert.Contains("no clustering tables yet", whatToCheck, StringComparison.Ordinal);
        Assert.Contains("MigrateOnStart", whatToCheck, StringComparison.Ordinal);
    }

    [Fact]
    public void AClusterOrDatabaseNotReachableYetIsWaitedFor()
    {
        Assert.Equal(ClusterConnection.WhatToCheck, ClusterConnection.WhatToCheckWhileWaiting(new SiloUnavailableException()));
        Assert.Equal(ClusterConnection.WhatToCheck, ClusterConnection.WhatToCheckWhileWaiting(
            new PostgresException("the database system is starting up", "FATAL", "FATAL", PostgresErrorCodes.CannotConnectNow)));
    }

    [Theory]
    [InlineData(PostgresErrorCodes.InvalidPassword)]
    [InlineData(PostgresErrorCodes.InvalidAuthorizationSpecification)]
    [InlineData(PostgresErrorCodes.InvalidCatalogName)]
    public void RefusedCredentialsOrAMissingDatabaseEndTheGateway(string sqlState)
    {
        var refused = new OrleansException("Membership table query failed", new PostgresException("refused", "FATAL", "FATAL", sqlState));

        Assert.Null(ClusterConnection.WhatToCheckWhileWaiting(refused));
    }
}
