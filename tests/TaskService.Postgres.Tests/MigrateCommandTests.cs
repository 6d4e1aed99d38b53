using TaskService.Storage.Postgres;

namespace TaskService.Postgres.Tests;

/// <summary>The documented command, run as a person runs it: <c>dotnet run --project src/Silo --no-launch-profile -- migrate ...</c>.</summary>
public sealed class MigrateCommandTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromMinutes(3);

    [Fact]
    public async Task MigrateAppliesTheScriptsPrintsThemAndExitsZeroThenFindsNothingToDo()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("command");
        try
        {
            var first = await RunSiloAsync(["migrate", "--connection", connectionString]);

            Assert.True(first.ExitCode == 0, first.ToString());
            Assert.Contains($"Applied {MigrationTests.Scripts.Length} migration script(s) to ", first.Output);
            foreach (var script in MigrationTests.Scripts)
            {
                Assert.Contains($"  {script}", first.Output);
            }

            // The second run takes the connection string from the environment, as a deployment would.
            var second = await RunSiloAsync(["migrate"], new() { ["ConnectionStrings__TaskService"] = connectionString });

            Assert.True(second.ExitCode == 0, second.ToString());
            Assert.Contains($"is up to date: nothing to apply ({MigrationTests.Scripts.Length} scripts applied before)", second.Output);
            Assert.DoesNotContain("Applied ", second.Output);
        }
        finally
        {
            await PostgresServer.DropDatabaseAsync(connectionString);
        }
    }

    [Fact]
    public void TheCommandMigrationMessagesNameIsTheOneInTheReadmesProductionBlock()
    {
        Assert.Contains(DatabaseMigrator.MigrateCommand, Readme.ProductionRunCommands());
    }

    [Fact]
    public async Task MigrateWithoutAConnectionStringExplainsWhereToPutOne()
    {
        var run = await RunSiloAsync(["migrate"], new() { ["ConnectionStrings__TaskService"] = null });

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--connection", run.Error);
        Assert.Contains("ConnectionStrings__TaskService", run.Error);
    }

    private static Task<SiloCommand.Result> RunSiloAsync(string[] arguments, Dictionary<string, string?>? environment = null) =>
        SiloCommand.RunAsync(arguments, environment ?? [], Deadline);
}
