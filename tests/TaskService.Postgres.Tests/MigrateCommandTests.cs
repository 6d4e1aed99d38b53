using System.Diagnostics;
using System.Text;

namespace TaskService.Postgres.Tests;

/// <summary>The documented command, run as a person runs it: <c>dotnet run --project src/Silo -- migrate ...</c>.</summary>
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
    public async Task MigrateWithoutAConnectionStringExplainsWhereToPutOne()
    {
        var run = await RunSiloAsync(["migrate"], new() { ["ConnectionStrings__TaskService"] = null });

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("--connection", run.Error);
        Assert.Contains("ConnectionStrings__TaskService", run.Error);
    }

    private static async Task<ProcessResult> RunSiloAsync(string[] arguments, Dictionary<string, string?>? environment = null)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = RepositoryRoot.Path,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        // Built already by scripts/test.sh (the test binaries come from the same build), so no build here.
        foreach (var argument in (string[])["run", "--project", "src/Silo", "--no-build", "-c", RepositoryRoot.Configuration, "--"])
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (name, value) in environment ?? [])
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException("dotnet could not be started.");
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(Deadline);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"`dotnet {string.Join(' ', start.ArgumentList)}` did not finish within {Deadline}.");
        }

        return new ProcessResult(process.ExitCode, await output, await error);
    }

    private sealed record ProcessResult(int ExitCode, string Output, string Error)
    {
        public override string ToString()
        {
            var text = new StringBuilder();
            text.AppendLine($"exit code {ExitCode}").AppendLine("--- stdout").AppendLine(Output).AppendLine("--- stderr").AppendLine(Error);
            return text.ToString();
        }
    }
}
