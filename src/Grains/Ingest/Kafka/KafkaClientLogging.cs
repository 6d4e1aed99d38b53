using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using TaskService.Common;
using ErrorCode = Confluent.Kafka.ErrorCode;

namespace TaskService.Connectors.Kafka;

/// <summary>
/// Routes one Kafka client's librdkafka log lines and errors to an <see cref="ILogger"/> instead of stderr. librdkafka reports
/// every failed connection to a broker it cannot reach (several a second, as a log line and as an error): that run of failures
/// is one warning with what to check, then one a minute while it lasts, each failure at Debug, and one Information line once
/// the client works again (<see cref="Worked"/>).
/// </summary>
internal sealed class KafkaClientLogging(ILogger logger, string client, TimeProvider time)
{
    /// <summary>What to check when the brokers cannot be reached: the settings README names for them.</summary>
    public const string WhatToCheck =
        "Check TaskService:Kafka:BootstrapServers, that the brokers run and are reachable from here, and the security settings under TaskService:Kafka:Client (security.protocol, sasl.*, ssl.*).";

    private readonly FailureRun _unreachable = new(time);

    public KafkaClientLogging(ILogger logger, string client)
        : this(logger, client, TimeProvider.System)
    {
    }

    public void Log(LogMessage message)
    {
        var level = message.Level switch
        {
            SyslogLevel.Emergency or SyslogLevel.Alert or SyslogLevel.Critical => LogLevel.Error,

            // A failed connection (FAIL) is reported by the error callback as well, which says it once per run.
            SyslogLevel.Error or SyslogLevel.Warning when message.Facility == "FAIL" => LogLevel.Debug,
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
    /// Fatal errors, after which the client is unusable, are errors. Brokers that cannot be reached are said as a run of
    /// failures; other errors librdkafka recovers from by itself are warnings.
    /// </summary>
    public void Error(Error error)
    {
        if (error.IsFatal)
        {
            KafkaLog.ClientError(logger, LogLevel.Error, client, error.Code.ToString(), error.Reason);
            return;
        }

        if (error.Code is not (ErrorCode.Local_Transport or ErrorCode.Local_AllBrokersDown or ErrorCode.Local_Resolve or ErrorCode.Local_TimedOut))
        {
            KafkaLog.ClientError(logger, LogLevel.Warning, client, error.Code.ToString(), error.Reason);
            return;
        }

        var run = _unreachable.Fail();
        if (run.IsFirst)
        {
            KafkaLog.BrokersUnreachable(logger, client, error.Reason, WhatToCheck);
        }
        else if (run.Warn)
        {
            KafkaLog.BrokersStillUnreachable(logger, client, run.Failures, run.ElapsedSeconds, error.Reason, WhatToCheck);
        }
        else
        {
            KafkaLog.ClientError(logger, LogLevel.Debug, client, error.Code.ToString(), error.Reason);
        }
    }

    /// <summary>The client got an answer from its brokers (a message read or acknowledged): a run of failures is over.</summary>
    public void Worked()
    {
        if (_unreachable.Succeed() is { } run)
        {
            KafkaLog.BrokersReachable(logger, client, run.Failures, run.ElapsedSeconds);
        }
    }
}
