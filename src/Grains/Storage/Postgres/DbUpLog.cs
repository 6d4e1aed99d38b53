using System.Globalization;
using DbUp.Engine.Output;
using Microsoft.Extensions.Logging;

namespace TaskService.Storage.Postgres;

/// <summary>
/// Passes DbUp's own messages on at Trace/Debug level: <see cref="DatabaseMigrator"/> logs progress per script itself, and
/// reports a failure once, as a <see cref="MigrationException"/> that names the script and the fix.
/// </summary>
internal sealed partial class DbUpLog(ILogger logger) : IUpgradeLog
{
    /// <summary>
    /// The 0-based number of the statement (DbUp calls it block) of the script that failed, as DbUp reported it
    /// ("Script block number: {0}; ..."); null when DbUp reported none.
    /// </summary>
    public int? FailedStatement { get; private set; }

    public void LogTrace(string format, params object[] args) => Write(LogLevel.Trace, format, args, null);

    public void LogDebug(string format, params object[] args) => Write(LogLevel.Trace, format, args, null);

    public void LogInformation(string format, params object[] args) => Write(LogLevel.Debug, format, args, null);

    public void LogWarning(string format, params object[] args) => Write(LogLevel.Warning, format, args, null);

    public void LogError(string format, params object[] args)
    {
        if (FailedStatement is null && format.StartsWith("Script block number", StringComparison.Ordinal) && args is [int statement, ..])
        {
            FailedStatement = statement;
        }

        Write(LogLevel.Debug, format, args, null);
    }

    public void LogError(Exception ex, string format, params object[] args) => Write(LogLevel.Debug, format, args, ex);

    private void Write(LogLevel level, string format, object[] args, Exception? exception)
    {
        if (!logger.IsEnabled(level))
        {
            return;
        }

        string message;
        try
        {
            message = args.Length == 0 ? format : string.Format(CultureInfo.InvariantCulture, format, args);
        }
        catch (FormatException)
        {
            message = format;
        }

        LogDbUp(logger, level, message, exception);
    }

    [LoggerMessage(EventId = 4110, Message = "DbUp: {Message}")]
    private static partial void LogDbUp(ILogger logger, LogLevel level, string message, Exception? exception);
}
