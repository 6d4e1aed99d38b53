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
}
