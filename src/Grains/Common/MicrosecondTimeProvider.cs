namespace TaskService.Common;

/// <summary>
/// The system clock, truncated to whole microseconds: the precision PostgreSQL keeps. A timestamp a grain holds in memory is then
/// the same value the store hands back after a restart, and the same in a webhook body as in a later read.
/// </summary>
public sealed class MicrosecondTimeProvider : TimeProvider
{
    public static MicrosecondTimeProvider Instance { get; } = new();

    public override DateTimeOffset GetUtcNow()
    {
        var now = System.GetUtcNow();
        return now.AddTicks(-(now.Ticks % TimeSpan.TicksPerMicrosecond));
    }
}
