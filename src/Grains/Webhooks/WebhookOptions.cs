using System.ComponentModel.DataAnnotations;

namespace TaskService.Webhooks;

/// <summary>How webhook deliveries are made and retried. Bound from the <c>TaskService:Webhooks</c> section.</summary>
public sealed class WebhookOptions
{
    public const string SectionName = "TaskService:Webhooks";

    /// <summary>How long one POST may take before it counts as failed.</summary>
    [Range(typeof(TimeSpan), "00:00:00.050", "00:10:00")]
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Attempts per event before it is given up and counted as failed.</summary>
    [Range(1, 1000)]
    public int MaxAttempts { get; set; } = 10;

    /// <summary>Delay before the first retry; it doubles with each further attempt, with jitter.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00")]
    public TimeSpan InitialBackoff { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>The longest delay between attempts, whether computed or asked for by a Retry-After header.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromMinutes(10);
}
