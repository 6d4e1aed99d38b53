using TaskService.Storage.Postgres;

namespace TaskService.Silo;

/// <summary>
/// <c>dotnet run --project src/Silo --no-launch-profile -- migrate [--connection "Host=...;Database=...;Username=...;Password=..."]</c>: applies the
/// PostgreSQL migrations of <c>scripts/sql</c> that the database does not have yet, prints what it applied and exits. Without
/// <c>--connection</c> it uses the configuration's <c>ConnectionStrings:TaskService</c> (environment variable
/// <c>ConnectionStrings__TaskService</c>). Exit codes: 0 done (also when there was nothing to apply), 1 a migration failed,
/// 2 bad usage.
/// </summary>
public static class MigrateCommand
{
    public const string Name = "migrate";
    public const string ConnectionStringName = "TaskService";

    private const string Usage =
        "Usage: " + DatabaseMigrator.MigrateCommand + " [--connection \"Host=...;Port=5432;Database=...;Username=...;Password=...\"]\n" +
        "Without --connection the connection string comes from ConnectionStrings:TaskService (environment: ConnectionStrings__TaskService).";

    /// <param name="args">The arguments after <c>migrate</c>.</param>
    public static async Task<int> RunAsync(string[] args)
    {
        string? connection = null;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] is "--connection" or "-c")
            {
                if (i + 1 >= args.Length)
                {
                    await Console.Error.WriteLineAsync("--connection needs a value.\n" + Usage);
                    return 2;
                }

                connection = args[++i];
            }
            else if (args[i] is "--help" or "-h")
            {
                Console.WriteLine(Usage);
                return 0;
            }
            else
            {
                rest.Add(args[i]); // configuration overrides such as --ConnectionStrings:TaskService=...
            }
        }

        var builder = Host.CreateApplicationBuilder(rest.ToArray());
        builder.Logging.AddFilter("TaskService", LogLevel.Information);
        connection ??= builder.Configuration.GetConnectionString(ConnectionStringName);
        if (string.IsNullOrWhiteSpace(connection))
        {
            await Console.Error.WriteLineAsync("No PostgreSQL connection string: pass --connection or set ConnectionStrings__TaskService.\n" + Usage);
            return 2;
        }

        MigrationResult? result = null;
        string? failure = null;
        using (var host = builder.Build())
        {
            var logger = host.Services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(DatabaseMigrator).FullName!);
            using var cancellation = new CancellationTokenSource();
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                cancellation.Cancel();
            };

            try
            {
                result = await DatabaseMigrator.MigrateAsync(connection, logger, cancellation.Token);
            }
            catch (MigrationException ex)
            {
                failure = ex.Message;
            }
            catch (OperationCanceledException)
            {
                failure = "Migration cancelled; the script that was running, if any, was rolled back.";
            }
        }

        // Disposing the host flushed the console logger, so the summary comes last.
        if (result is null)
        {
            await Console.Error.WriteLineAsync(failure);
            return 1;
        }

        if (result.WasUpToDate)
        {
            Console.WriteLine($"{result.Database} is up to date: nothing to apply ({result.AlreadyApplied.Count} scripts applied before).");
        }
        else
        {
            Console.WriteLine($"Applied {result.Applied.Count} migration script(s) to {result.Database}:");
            foreach (var script in result.Applied)
            {
                Console.WriteLine($"  {script}");
            }
        }

        return 0;
    }
}
