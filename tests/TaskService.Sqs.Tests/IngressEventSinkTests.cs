using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using TaskService.Connectors.Sqs;
using TaskService.Events;
using TaskService.Serialization;

namespace TaskService.Sqs.Tests;

/// <summary>What the SQS receivers' sink makes of the ingress's answer: a wait when busy, and a warning for an id in use.</summary>
public sealed class IngressEventSinkTests
{
    private static readonly EventRecord Record = new() { Id = "order-7", Key = "order.placed", Payload = JsonElementFactory.EmptyObject };

    [Fact]
    public async Task AnEventWhoseIdNamesAnotherIsTakenOffTheQueueWithAWarningNamingTheId()
    {
        var logger = new ListLogger();
        var sink = new IngressEventSink(new Answering(EventAcceptance.Conflicting), logger);

        Assert.Null(await sink.RecordAsync(Record, CancellationToken.None));

        var entry = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, entry.Level);
        Assert.Contains("order-7", entry.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task AnAcceptedEventLogsNothingAndABusyIngressAsksForItsWait()
    {
        var logger = new ListLogger();

        Assert.Null(await new IngressEventSink(new Answering(EventAcceptance.Accepted), logger).RecordAsync(Record, CancellationToken.None));
        Assert.Equal(TimeSpan.FromSeconds(3),
            await new IngressEventSink(new Answering(EventAcceptance.Refused(TimeSpan.FromSeconds(3))), logger).RecordAsync(Record, CancellationToken.None));
        Assert.Empty(logger.Entries);
    }

    private sealed class Answering(EventAcceptance answer) : IEventIngress
    {
        public Task<EventAcceptance> TryPublishAsync(EventRecord record) => Task.FromResult(answer);
    }

    private sealed class ListLogger : ILogger<IngressEventSink>
    {
        public ConcurrentQueue<(LogLevel Level, string Message)> Entries { get; } = new();

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Entries.Enqueue((logLevel, formatter(state, exception)));
    }
}
