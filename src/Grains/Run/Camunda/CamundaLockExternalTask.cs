namespace TaskService.Workflows.Camunda;

/// <summary>Locks one external task for a worker (<c>LockExternalTaskDto</c>).</summary>
public sealed record CamundaLockExternalTask
{
    public required string WorkerId { get; init; }

    public required long LockDuration { get; init; }
}
