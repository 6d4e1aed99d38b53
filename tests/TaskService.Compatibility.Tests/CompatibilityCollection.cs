
namespace TaskService.Compatibility.Tests;

/// <summary>The compatibility tests share one running service (the API tests' host), each with keys and ids of its own.</summary>
[CollectionDefinition(Name)]
public sealed class CompatibilityCollection : ICollectionFixture<TaskServiceApiFactory>
{
    public const string Name = "compatibility";
}
