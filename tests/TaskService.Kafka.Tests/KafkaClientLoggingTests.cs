using Confluent.Kafka;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using TaskService.Connectors.Kafka;
using ErrorCode = Confluent.Kafka.ErrorCode;

namespace TaskService.Kafka.Tests;

/// <summary>
/// Brokers that cannot be reached: librdkafka reports each failed connection (several a second) as a log line and an error;
/// they are said once with what to check, then once a minute, each at Debug, and once more when the client works again.
/// </summary>
public sealed class KafkaClientLoggingTests
{
    private const string Refused = "127.0.0.1:5151/bootstrap: Connect to ipv4#127.0.0.1:5151 failed: Connection refused (after 0ms in state CONNECT)";

    [Fact]
    public void UnreachableBrokersAreWarnedOnceThenOnceAMinuteAndTheirRecoveryOnce()
    {
        var time = new FakeTimeProvider();
        var logger = new RecordingLogger<KafkaClientLoggingTests>();
        var logging = new KafkaClientLogging(logger, "consumer-1", time);

        // Two minutes of a refused connection every 100 ms, as the log handler and the error callback see them.
        for (var i = 0; i < 1200; i++)
        {
            logging.Log(new LogMessage("consumer-1", SyslogLevel.Error, "FAIL", Refused));
            logging.Error(new Error(ErrorCode.Local_Transport, Refused));
            time.Advance(TimeSpan.FromMilliseconds(100));
        }

        logging.Worked();
        logging.Worked();

        var warnings = logger.At(LogLevel.Warning);
        Assert.True(warnings.Count == 2, logger.Dump());
        Assert.Contains("TaskService:Kafka:BootstrapServers", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("Connection refused", warnings[0].Message, StringComparison.Ordinal);
        Assert.Contains("still cannot reach its brokers", warnings[1].Message, StringComparison.Ordinal);
        Assert.Single(logger.At(LogLevel.Information), e => e.Message.Contains("reaches its brokers again", StringComparison.Ordinal));
    }

    [Fact]
    public void AFatalErrorIsStillAnError()
    {
        var logger = new RecordingLogger<KafkaClientLoggingTests>();

        new KafkaClientLogging(logger, "producer-1", new FakeTimeProvider()).Error(new Error(ErrorCode.Local_Fatal, "fenced", isFatal: true));

        Assert.Single(logger.At(LogLevel.Error));
    }
}
