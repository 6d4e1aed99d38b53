using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace TaskService.Testing;

/// <summary>Keeps every entry logged through it, at every level, with its exception.</summary>
public sealed class RecordingLogger<T> : ILogger<T>
{
    public ConcurrentQueue<(LogLevel Level, string Message, Exception? Exception)> Entries { get; } = new();

    public IDisposable? BeginScope<TState>(TState state)
        where TState : notnull => null;

    public bool IsEnabled(LogLevel logLevel) => true;

    public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
        Entries.Enqueue((logLevel, formatter(state, exception), exception));

    public List<(LogLevel Level, string Message, Exception? Exception)> At(LogLevel level) => Entries.Where(e => e.Level == level).ToList();

    public string Dump() => string.Join("\n", Entries.Select(e => $"{e.Level}: {e.Message}{(e.Exception is null ? "" : " [" + e.Exception.GetType().Name + "]")}"));
}
