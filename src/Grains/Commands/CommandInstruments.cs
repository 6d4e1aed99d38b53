using System.Diagnostics.Metrics;

namespace TaskService.Commands;

/// <summary>
/// Metrics of the commands run for external tasks, on either engine, on the <c>TaskService.Commands</c> meter. Each
/// measurement carries the topic (<see cref="TopicAttribute"/>); topics are the registered commands', a short list.
/// </summary>
public static class CommandInstruments
{
    public const string MeterName = "TaskService.Commands";

    /// <summary>The attribute naming the external task's topic.</summary>
    public const string TopicAttribute = "taskservice.command.topic";

    private static readonly Meter Meter = new(MeterName);

    private static readonly Counter<long> Run = Meter.CreateCounter<long>(
        "taskservice.commands.run", "{command}", "Commands run for external tasks, each attempt counted.");

    private static readonly Counter<long> Failed = Meter.CreateCounter<long>(
        "taskservice.commands.failed", "{command}", "Command attempts that failed (the task is retried or raises an incident).");

    /// <summary>Counts one attempt of the command for <paramref name="topic"/>, and its failure when it failed.</summary>
    public static void Ran(string topic, bool succeeded)
    {
        var attribute = new KeyValuePair<string, object?>(TopicAttribute, topic);
        Run.Add(1, attribute);
        if (!succeeded)
        {
            Failed.Add(1, attribute);
        }
    }
}
