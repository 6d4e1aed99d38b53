using System.ComponentModel.DataAnnotations;

namespace TaskService.Workflows;

/// <summary>How the embedded engine runs commands. Bound from <c>TaskService:Workflows</c>.</summary>
public sealed class WorkflowEngineOptions
{
    public const string SectionName = "TaskService:Workflows";

    /// <summary>Retries of a failing command before the instance shows an incident (Camunda's external-task retries).</summary>
    [Range(0, 100)]
    public int CommandRetries { get; set; } = 3;

    /// <summary>Delay before the first retry; it doubles with each further retry.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan RetryBackoff { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>The longest delay between retries.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxRetryBackoff { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How long one command may run before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.010", "01:00:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>
    /// Commands a new instance runs before its first write when they are due at once (the create-tasks step of a routed event):
    /// the write that makes the start durable then holds their results too, so the instance is written once instead of twice.
    /// 0 writes the start first and runs every command after it.
    /// </summary>
    [Range(0, 16)]
    public int CommandsRunAtStart { get; set; } = 4;

    /// <summary>
    /// How long a start waits for those commands. Past it the start is written without them and they finish on their own (then
    /// written again), so a slow command never holds its caller (the event router) longer than this.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:00:20")]
    public TimeSpan StartWaitForCommands { get; set; } = TimeSpan.FromSeconds(5);
}
