namespace TaskService.Api.Tests;

/// <summary>
/// The test that counts first-chance exceptions runs alone, with a service of its own: exceptions are seen process-wide, so a
/// test running beside it would add to the count.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class ExpectedFailuresCollection : ICollectionFixture<TaskServiceApiFactory>
{
    public const string Name = "expected-failures";
}
