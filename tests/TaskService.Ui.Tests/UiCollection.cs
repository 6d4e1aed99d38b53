namespace TaskService.Ui.Tests;

[CollectionDefinition(Name)]
public sealed class UiCollection : ICollectionFixture<UiFixture>
{
    public const string Name = "web UI";
}
