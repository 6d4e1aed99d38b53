using System.Text.Json;

namespace TaskService.Workflows.Camunda;

/// <summary>How a command ran for an external task.</summary>
[GenerateSerializer, Immutable, Alias("TaskService.Camunda.CamundaCommandOutcome")]
public sealed record CamundaCommandOutcome
{
    [Id(0)] public bool Succeeded { get; init; }

    /// <summary>The variables the command set, on success.</summary>
    [Id(1)] public IReadOnlyDictionary<string, JsonElement> Variables { get; init; } = new Dictionary<string, JsonElement>();

    [Id(2)] public string? ErrorMessage { get; init; }

    [Id(3)] public string? ErrorDetails { get; init; }

    /// <summary>True when the outcome is that of an earlier run: the task was delivered again and the command did not run again.</summary>
    [Id(4)] public bool Replayed { get; init; }

    /// <summary>
    /// A failure as Camunda is told of it: <paramref name="message"/>, and as details the messages of the exception and of the
    /// exceptions that caused it. Stack traces, source paths and .NET type names never leave the silo; the full exception is in
    /// its log.
    /// </summary>
    public static CamundaCommandOutcome Failed(string message, Exception? exception) => new()
    {
        ErrorMessage = message,
        ErrorDetails = exception is null ? null : Details(exception),
    };

    /// <summary>The exception's message and those of its inner exceptions, for example <c>the order is closed; caused by: timeout</c>.</summary>
    public static string Details(Exception exception)
    {
        var messages = new List<string>();
        for (var current = exception; current is not null && messages.Count < 5; current = current.InnerException)
        {
            messages.Add(current.Message);
        }

        return string.Join("; caused by: ", messages);
    }
}
