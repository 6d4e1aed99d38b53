namespace TaskService.Api.Tests.Hardening;

/// <summary>
/// The hostile-input suite runs alone: its memory bound is read from the whole process's managed heap, to which the services
/// of tests running beside it would add.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HostileInputCollection
{
    public const string Name = "hostile input";
}
