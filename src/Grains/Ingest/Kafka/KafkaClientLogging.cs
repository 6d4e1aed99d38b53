using Confluent.Kafka;
using Microsoft.Extensions.Logging;

namespace TaskService.Connectors.Kafka;

/// <summary>Routes librdkafka's log lines and errors to an <see cref="ILogger"/> instead of stderr.</summary>
internal static class KafkaClientLogging
{
    public static void Log(ILogger logger, LogMessage message)
    {
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Error,

            // librdkafka logs a refused connection as an error and retries; the error callback reports what is really wrong.
            SyslogLevel.Error or SyslogLevel.Warning => LogLevel.Warning,
            SyslogLevel.Notice or SyslogLevel.Info => LogLevel.Information,
            _ => LogLevel.Debug,
        };
        if (logger.IsEnabled(level))
        {
            KafkaLog.ClientLog(logger, level, message.Name, message.Facility, message.Message);
        }
    }

    /// <summary>
    /// Errors librdkafka reports while it recovers by itself (a broker down, a connection refused) are warnings; fatal ones,
    /// after which the client is unusable, are errors.
    /// </summary>
    public static void Error(ILogger logger, string client, Error error) =>
        KafkaLog.ClientError(logger, error.IsFatal ? LogLevel.Error : LogLevel.Warning, client, error.Code.ToString(), error.Reason);
}
