using System.Diagnostics;
using System.Globalization;
using DbUp;
using DbUp.Engine;
using DbUp.Postgresql;
using Microsoft.Extensions.Logging;
using Npgsql;

namespace TaskService.Storage.Postgres;

/// <summary>
/// Applies the numbered scripts of <c>scripts/sql</c> (embedded in this assembly) to a PostgreSQL database with DbUp: in name
/// order, each script in its own transaction together with its journal row in <c>main.schema_versions</c>, skipping the
/// scripts the journal already records. Applying twice applies nothing the second time.
/// </summary>
/// <remarks>
/// Several silos may start at once against one database; a session-level advisory lock makes them migrate one after the
/// other, so the later ones find the journal complete and apply nothing. Applied scripts are never edited: a schema change is
/// a new script with the next number.
/// </remarks>
public sealed partial class DatabaseMigrator
{
    /// <summary>The schema of the journal table (also TaskService's own schema).</summary>
    public const string JournalSchema = "main";

    /// <summary>The journal table: one row per applied script (scriptname, applied).</summary>
    public const string JournalTable = "schema_versions";

    /// <summary>The command that runs the migrations, for messages that tell a person what to do.</summary>
    public const string MigrateCommand = "dotnet run --project src/Silo --no-launch-profile -- migrate";

    /// <summary>Key of the advisory lock held while migrating: the bytes of "TASKMIGR".</summary>
    internal const long AdvisoryLockKey = 0x5441_534B_4D49_4752;

    private const string ResourcePrefix = "TaskService.Sql.";

    private readonly string _connectionString;
    private readonly string _database;
    private readonly IReadOnlyList<SqlScript> _scripts;
    private readonly ILogger _logger;

    private DatabaseMigrator(string connectionString, string database, IReadOnlyList<SqlScript> scripts, ILogger logger)
    {
        _connectionString = connectionString;
        _database = database;
        _scripts = scripts;
        _logger = logger;
    }

    /// <summary>The names of the embedded migration scripts, in the order they are applied.</summary>
    public static IReadOnlyList<string> ScriptNames => [.. LoadEmbeddedScripts().Select(s => s.Name)];

    /// <summary>
    /// Brings the database named by <paramref name="connectionString"/> up to date. The database must exist; the schemas,
    /// tables and the journal are created by the scripts.
    /// </summary>
    /// <exception cref="MigrationException">The server could not be reached, or a script failed (it was rolled back).</exception>
    public static Task<MigrationResult> MigrateAsync(string connectionString, ILogger logger, CancellationToken cancellationToken = default)
        => MigrateAsync(connectionString, LoadEmbeddedScripts(), logger, cancellationToken);

    /// <summary>
    /// Checks, before a silo starts, that the database named by <paramref name="connectionString"/> answers and has every
    /// migration of this build: a silo on a database without its tables would otherwise stop half-way through its start,
    /// on the first query of a table that is not there.
    /// </summary>
    /// <exception cref="MigrationException">The server could not be reached, or migrations are missing; the message says what to do.</exception>
    public static async Task EnsureAppliedAsync(string connectionString, CancellationToken cancellationToken = default)
    {
        var builder = ParseConnectionString(connectionString);
        var database = Describe(builder);
        const string Then = "then start the silo again";
        var applied = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            await using var connection = new NpgsqlConnection(builder.ConnectionString);
            await connection.OpenAsync(cancellationToken);
            await using var command = new NpgsqlCommand($"SELECT scriptname FROM {JournalSchema}.{JournalTable}", connection);
            await using var reader = await command.ExecuteReaderAsync(cancellationToken);
            while (await reader.ReadAsync(cancellationToken))
            {
                applied.Add(reader.GetString(0));
            }
        }
        catch (PostgresException ex) when (ex.SqlState is PostgresErrorCodes.UndefinedTable or PostgresErrorCodes.InvalidSchemaName)
        {
            // No journal: nothing applied.
        }
        catch (NpgsqlException ex)
        {
            throw new MigrationException(ConnectFailureMessage(database, ex, Then), innerException: ex);
        }

        var scripts = ScriptNames;
        var pending = scripts.Where(name => !applied.Contains(name)).ToList();
        if (pending.Count > 0)
        {
            throw new MigrationException(
                $"PostgreSQL database {database} has {pending.Count} of the {scripts.Count} migration scripts of this build not applied " +
                $"({string.Join(", ", pending.Take(3))}{(pending.Count > 3 ? ", ..." : "")}). Fix: run `{MigrateCommand}` with the same " +
                "ConnectionStrings:TaskService, or set TaskService:Database:MigrateOnStart=true to apply them as the silo starts; " +
                $"{Then}.");
        }
    }

    /// <summary>Applies the given scripts instead of the embedded ones (tests use it to check how a failing script is reported).</summary>
    internal static async Task<MigrationResult> MigrateAsync(
        string connectionString,
        IReadOnlyList<SqlScript> scripts,
        ILogger logger,
        CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(logger);
        var builder = ParseConnectionString(connectionString);
        var migrator = new DatabaseMigrator(builder.ConnectionString, Describe(builder), scripts, logger);
        return await migrator.RunAsync(cancellationToken);
    }

    private async Task<MigrationResult> RunAsync(CancellationToken cancellationToken)
    {
        await using var lockConnection = new NpgsqlConnection(_connectionString);
        try
        {
            await lockConnection.OpenAsync(cancellationToken);
        }
        catch (NpgsqlException ex)
        {
            throw new MigrationException(ConnectFailureMessage(_database, ex, $"then run `{MigrateCommand}` again"), innerException: ex);
        }

        await AcquireLockAsync(lockConnection, cancellationToken);
        try
        {
            // DbUp is synchronous; keep it off the caller's thread.
            return await Task.Run(Upgrade, cancellationToken);
        }
        finally
        {
            await ReleaseLockAsync(lockConnection);
        }
    }

    private async Task AcquireLockAsync(NpgsqlConnection connection, CancellationToken cancellationToken)
    {
        await using var tryLock = new NpgsqlCommand("SELECT pg_try_advisory_lock(@key)", connection);
        tryLock.Parameters.AddWithValue("key", AdvisoryLockKey);
        if ((bool)(await tryLock.ExecuteScalarAsync(cancellationToken))!)
        {
            return;
        }

        LogWaitingForLock(_logger, _database);
        await using var waitLock = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection) { CommandTimeout = 0 };
        waitLock.Parameters.AddWithValue("key", AdvisoryLockKey);
        await waitLock.ExecuteNonQueryAsync(cancellationToken);
    }

    private static async Task ReleaseLockAsync(NpgsqlConnection connection)
    {
        try
        {
            await using var unlock = new NpgsqlCommand("SELECT pg_advisory_unlock(@key)", connection);
            unlock.Parameters.AddWithValue("key", AdvisoryLockKey);
            await unlock.ExecuteNonQueryAsync(CancellationToken.None);
        }
        catch (NpgsqlException)
        {
            // The session is gone, and a session-level lock goes with it.
        }
    }

    private MigrationResult Upgrade()
    {
        var total = Stopwatch.StartNew();
        var perScript = new Stopwatch();
        var dbUpLog = new DbUpLog(_logger);
        var engine = DeployChanges.To
            .PostgresqlDatabase(_connectionString, JournalSchema) // creates schema main for the journal when missing
            .WithScripts(_scripts)
            .JournalToPostgresqlTable(JournalSchema, JournalTable)
            .WithTransactionPerScript()
            .WithVariablesDisabled() // the scripts use $sql$ ... $sql$ quoting, which DbUp would take for a variable
            .WithExecutionTimeout(TimeSpan.FromMinutes(10))
            .LogTo(dbUpLog)
            .Build();

        List<string> alreadyApplied;
        List<SqlScript> pending;
        try
        {
            alreadyApplied = engine.GetExecutedScripts();
            pending = engine.GetScriptsToExecute();
        }
        catch (NpgsqlException ex)
        {
            throw new MigrationException(ConnectFailureMessage(_database, ex, $"then run `{MigrateCommand}` again"), innerException: ex);
        }

        var unknown = alreadyApplied.Except(_scripts.Select(s => s.Name), StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
        {
            LogUnknownScripts(_logger, _database, string.Join(", ", unknown));
        }

        if (pending.Count == 0)
        {
            LogUpToDate(_logger, _database, alreadyApplied.Count);
            return new MigrationResult(_database, [], alreadyApplied);
        }

        LogApplying(_logger, pending.Count, _database, string.Join(", ", pending.Select(s => s.Name)));
        engine.ScriptExecuted += (_, e) =>
        {
            var script = ((ScriptExecutedEventArgs)e).Script.Name;
            LogScriptApplied(_logger, script, _database, perScript.ElapsedMilliseconds);
            perScript.Restart();
        };

        perScript.Start();
        var result = engine.PerformUpgrade();
        var applied = result.Scripts.Select(s => s.Name).ToList();
        if (!result.Successful)
        {
            var failed = result.ErrorScript?.Name;
            throw new MigrationException(ScriptFailureMessage(failed, dbUpLog.FailedStatement, applied, result.Error), failed, result.Error);
        }

        LogMigrated(_logger, _database, applied.Count, total.ElapsedMilliseconds);
        return new MigrationResult(_database, applied, alreadyApplied);
    }

    internal static IReadOnlyList<SqlScript> LoadEmbeddedScripts()
    {
        var assembly = typeof(DatabaseMigrator).Assembly;
        var scripts = new List<SqlScript>();
        foreach (var resource in assembly.GetManifestResourceNames()
                     .Where(n => n.StartsWith(ResourcePrefix, StringComparison.Ordinal) && n.EndsWith(".sql", StringComparison.Ordinal))
                     .Order(StringComparer.Ordinal))
        {
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            scripts.Add(new SqlScript(resource[ResourcePrefix.Length..], reader.ReadToEnd()));
        }

        if (scripts.Count == 0)
        {
            throw new InvalidOperationException(
                $"{assembly.GetName().Name} embeds no migration scripts; its project must embed scripts/sql/*.sql with the logical name prefix '{ResourcePrefix}'.");
        }

        return scripts;
    }

    private static NpgsqlConnectionStringBuilder ParseConnectionString(string connectionString)
    {
        if (string.IsNullOrWhiteSpace(connectionString))
        {
            throw new MigrationException(
                "No PostgreSQL connection string was given. Pass one with --connection \"Host=...;Database=...;Username=...;Password=...\" " +
                "or set ConnectionStrings:TaskService (environment variable ConnectionStrings__TaskService).");
        }

        try
        {
            var builder = new NpgsqlConnectionStringBuilder(connectionString);
            if (string.IsNullOrEmpty(builder.ApplicationName))
            {
                builder.ApplicationName = "TaskService migrations";
            }

            return builder;
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or KeyNotFoundException)
        {
            throw new MigrationException(
                $"The PostgreSQL connection string (--connection, or ConnectionStrings:TaskService) is not valid: {ex.Message} Expected the Npgsql form \"Host=...;Port=...;Database=...;Username=...;Password=...\".",
                innerException: ex);
        }
    }

    private static string Describe(NpgsqlConnectionStringBuilder builder)
        => string.Create(CultureInfo.InvariantCulture, $"{builder.Host ?? "localhost"}:{builder.Port}/{builder.Database ?? builder.Username ?? "?"}");

    private static string ConnectFailureMessage(string database, NpgsqlException ex, string then)
    {
        var fix = (ex as PostgresException)?.SqlState switch
        {
            PostgresErrorCodes.InvalidCatalogName => "create the database first (CREATE DATABASE ...); the migrations create everything inside it",
            PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification =>
                "check the user name and password of the connection string",
            PostgresErrorCodes.InsufficientPrivilege => "grant the user CONNECT on the database, or connect as its owner",
            _ => "check the connection string (--connection, or ConnectionStrings:TaskService) and that the server is running and reachable",
        };
        return $"Cannot reach PostgreSQL database {database}: {ex.Message}. Fix: {fix}; {then}.";
    }

    private string ScriptFailureMessage(string? script, int? statement, IReadOnlyList<string> appliedBefore, Exception? error)
    {
        var pg = error as PostgresException ?? error?.InnerException as PostgresException;
        var what = pg is null
            ? error?.Message ?? "unknown error"
            : $"{pg.MessageText} (SQLSTATE {pg.SqlState}){Suffix(" detail: ", pg.Detail)}{Suffix(" hint: ", pg.Hint)}{Suffix(" where: ", pg.Where)}";
        what += Locate(_scripts.FirstOrDefault(s => s.Name == script), statement, pg?.Position ?? 0);

        var fix = pg?.SqlState switch
        {
            PostgresErrorCodes.DuplicateTable or PostgresErrorCodes.DuplicateObject or PostgresErrorCodes.DuplicateFunction
                or PostgresErrorCodes.DuplicateSchema or PostgresErrorCodes.UniqueViolation =>
                $"the object exists already although {JournalSchema}.{JournalTable} does not record this script, so the database was set up " +
                "by hand or by another tool; migrate an empty database, or drop the conflicting objects",
            PostgresErrorCodes.InsufficientPrivilege =>
                "run the migrations as the database owner, or grant the user CREATE on the database and on schema public",
            _ => $"correct what the error names (the script, or the state of the database), never a script that {JournalSchema}.{JournalTable} already records",
        };
        var before = appliedBefore.Count == 0
            ? "No script of this run was applied."
            : $"The scripts before it stay applied and recorded: {string.Join(", ", appliedBefore)}.";
        return $"Migration script {script ?? "(unknown)"} failed on {_database} and was rolled back: {what}. {before} " +
               $"Fix: {fix}; then run `{MigrateCommand}` again, which skips the scripts already recorded.";

        static string Suffix(string label, string? value) => string.IsNullOrWhiteSpace(value) ? "" : ";" + label + value;
    }

    /// <summary>"; at line L of the script, in statement N `first line of it`", found by splitting the script as DbUp did.</summary>
    private string Locate(SqlScript? script, int? statement, int position)
    {
        if (script is null || statement is not { } index)
        {
            return "";
        }

        var statements = new PostgresqlConnectionManager(_connectionString).SplitScriptIntoCommands(script.Contents).ToList();
        if (index < 0 || index >= statements.Count)
        {
            return "";
        }

        var text = statements[index];
        var offset = script.Contents.IndexOf(text, StringComparison.Ordinal);
        var firstLine = text.Split('\n')[0].Trim();
        var quoted = firstLine.Length > 100 ? firstLine[..100] + "..." : firstLine;
        if (offset < 0)
        {
            return $"; in statement {index + 1} `{quoted}`";
        }

        var errorAt = Math.Min(script.Contents.Length, offset + Math.Max(position - 1, 0));
        var line = 1 + script.Contents.AsSpan(0, errorAt).Count('\n');
        return $"; at line {line} of the script, in statement {index + 1} `{quoted}`";
    }
}
