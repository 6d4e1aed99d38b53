namespace TaskService.Workflows.Camunda;

/// <summary>Extends the lock of an external task (<c>ExtendLockOnExternalTaskDto</c>).</summary>
public sealed record CamundaExtendLock
{
    public required string WorkerId { get; init; }

    /// <summary>The new lock duration from now, in milliseconds.</summary>
    public required long NewDuration { get; init; }
}
