using System.Collections.Concurrent;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace TaskService.Api.Tests;

/// <summary>A service of its own whose log lines, at the levels its configuration lets through, are kept for a test to read.</summary>
public sealed class LogRecordingFactory : TaskServiceApiFactory
{
    public LogRecordingFactory() => TestServices = services => services.AddSingleton<ILoggerProvider>(new Recorder(Log));

    public ConcurrentQueue<LogEntry> Log { get; } = new();

    public sealed record LogEntry(LogLevel Level, string Category, string Message);

    private sealed class Recorder(ConcurrentQueue<LogEntry> log) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(log, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<LogEntry> log, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                log.Enqueue(new LogEntry(logLevel, category, formatter(state, exception) + (exception is null ? string.Empty : Environment.NewLine + exception)));
        }
    }
}
