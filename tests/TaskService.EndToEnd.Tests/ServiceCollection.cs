namespace TaskService.EndToEnd.Tests;

/// <summary>The end-to-end tests share one service process.</summary>
[CollectionDefinition(Name)]
public sealed class ServiceCollection : ICollectionFixture<ServiceProcess>
{
    public const string Name = "service";
}
