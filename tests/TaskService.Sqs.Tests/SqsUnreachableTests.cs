using System.Globalization;
using Microsoft.Extensions.Hosting.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using TaskService.Connectors.Sqs;
using TaskService.Events;

namespace TaskService.Sqs.Tests;

/// <summary>
/// A silo whose SQS server cannot be reached: the receiver says so once with the reason and what to check, then at most once a
/// minute per queue however many loops fail, each attempt at Debug only. Against a closed loopback port: no SQS server needed.
/// </summary>
public sealed class SqsUnreachableTests
{
    [Fact]
    public async Task AnUnreachableServerIsWarnedOnceThenAtMostOnceAMinutePerQueueWithoutAStackTrace()
    {
        Environment.SetEnvironmentVariable("AWS_ACCESS_KEY_ID", "test");
        Environment.SetEnvironmentVariable("AWS_SECRET_ACCESS_KEY", "test");
        var port = FreePorts.Next().ToString(CultureInfo.InvariantCulture);
        const int loops = 3;
        var options = Options.Create(new SqsOptions
        {
            ServiceUrl = new Uri($"http://127.0.0.1:{port}"),
            Region = "us-east-1",
            Incoming = new SqsIncomingOptions
            {
                Enabled = true,
                Queues = [$"http://127.0.0.1:{port}/000000000000/unreachable"],
                ReceiversPerQueue = loops,
                ErrorBackoff = TimeSpan.FromSeconds(1),
            },
        });
        var time = new FakeTimeProvider();
        var lifetime = new ApplicationLifetime(NullLogger<ApplicationLifetime>.Instance);
        var logger = new RecordingLogger<SqsReceiver>();
        using var receiver = new SqsReceiver(options, new NothingSink(), lifetime, time, logger);
        await receiver.StartAsync(CancellationToken.None);
        lifetime.NotifyStarted();

        // Four minutes of failures: every 30 s (the longest pause) each loop tries once more.
        var step = TimeSpan.FromSeconds(30);
        for (var round = 1; round <= 9; round++)
        {
            await Eventually.ReturnsAsync(
                () => logger.Entries.Count(e => e.Exception is not null), count => count >= round * loops,
                because: $"each of the {loops} loops failed {round} times", diagnostics: logger.Dump);
            if (round < 9)
            {
                time.Advance(step);
            }
        }

        await receiver.StopAsync(CancellationToken.None);

        // Failures at 0 s, 30 s, ..., 240 s: said at 0, 60, 120, 180 and 240 s, not 27 times.
        var warnings = logger.At(LogLevel.Warning);
        Assert.True(warnings.Count == 5, logger.Dump());
        Assert.All(warnings, w => Assert.Null(w.Exception));
        Assert.All(warnings, w => Assert.DoesNotContain("   at ", w.Message, StringComparison.Ordinal));
        var first = warnings[0].Message;
        Assert.Contains("unreachable", first, StringComparison.Ordinal);
        Assert.Contains("TaskService:Sqs:ServiceUrl", first, StringComparison.Ordinal);
        Assert.Contains("TaskService:Sqs:Region", first, StringComparison.Ordinal);
        Assert.Contains("AWS_ACCESS_KEY_ID", first, StringComparison.Ordinal);
        Assert.Contains("still cannot be reached after", warnings[1].Message, StringComparison.Ordinal);

        // Each attempt is at Debug, with its exception there.
        var attempts = logger.At(LogLevel.Debug).Where(e => e.Exception is not null).ToList();
        Assert.True(attempts.Count >= 9 * loops, logger.Dump());
    }

    private sealed class NothingSink : ISqsEventSink
    {
        public Task<TimeSpan?> RecordAsync(EventRecord record, CancellationToken cancellationToken) => Task.FromResult<TimeSpan?>(null);
    }
}
