namespace TaskService.Api.Tests;

/// <summary>The API tests share one running service; each test uses keys and ids of its own.</summary>
[CollectionDefinition(Name)]
public sealed class ApiCollection : ICollectionFixture<TaskServiceApiFactory>
{
    public const string Name = "api";
}
