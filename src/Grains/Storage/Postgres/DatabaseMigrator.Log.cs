using Microsoft.Extensions.Logging;

namespace TaskService.Storage.Postgres;

public sealed partial class DatabaseMigrator
{
    [LoggerMessage(EventId = 4100, Level = LogLevel.Information, Message = "Applying {Count} migration script(s) to {Database}: {Scripts}")]
    private static partial void LogApplying(ILogger logger, int count, string database, string scripts);

    [LoggerMessage(EventId = 4101, Level = LogLevel.Information, Message = "Applied migration {Script} to {Database} in {ElapsedMs} ms")]
    private static partial void LogScriptApplied(ILogger logger, string script, string database, long elapsedMs);

    [LoggerMessage(EventId = 4102, Level = LogLevel.Information, Message = "Migrated {Database}: {Count} script(s) applied in {ElapsedMs} ms")]
    private static partial void LogMigrated(ILogger logger, string database, int count, long elapsedMs);

    [LoggerMessage(EventId = 4103, Level = LogLevel.Information, Message = "Database {Database} is up to date: all {Count} migration scripts were applied before")]
    private static partial void LogUpToDate(ILogger logger, string database, int count);

    [LoggerMessage(EventId = 4104, Level = LogLevel.Information, Message = "Another process is migrating {Database}; waiting for it to finish")]
    private static partial void LogWaitingForLock(ILogger logger, string database);

    [LoggerMessage(EventId = 4105, Level = LogLevel.Warning,
        Message = "Database {Database} records migration scripts this build does not have: {Scripts}. A newer TaskService migrated it; run that version")]
    private static partial void LogUnknownScripts(ILogger logger, string database, string scripts);
}
