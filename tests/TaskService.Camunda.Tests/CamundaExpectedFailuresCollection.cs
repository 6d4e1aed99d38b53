namespace TaskService.Camunda.Tests;

/// <summary>
/// The tests that count first-chance exceptions run alone, with a service and engine-rest endpoint of their own: exceptions are
/// seen process-wide, so a test running beside them would add to the count.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class CamundaExpectedFailuresCollection : ICollectionFixture<TaskServiceApiFactory>
{
    public const string Name = "camunda-expected-failures";
}
