namespace TaskService.Postgres.Tests.Durability;

/// <summary>
/// The durability tests start, kill and restart silo processes and wait for failovers with deadlines. They run one at a time and
/// apart from the other tests of this project, so that neither slows the other's processes past those deadlines on a small machine.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class DurabilityCollection
{
    public const string Name = "Durability";
}
