namespace TaskService.Api.Tests;

/// <summary>
/// Tests that read the service's metrics run alone: TaskService's instruments are process-wide, so another test's service in
/// the same process would add to the counts.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "metrics";
}
