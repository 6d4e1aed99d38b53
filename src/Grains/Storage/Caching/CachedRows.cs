namespace TaskService.Storage.Caching;

/// <summary>The kinds of read-mostly rows each silo keeps in memory; a change to one clears that kind in every silo.</summary>
[Flags]
public enum CachedRows
{
    None = 0,
    EventMappings = 1,
    TaskMappings = 2,
    WorkflowIds = 4,
    ClientApps = 8,
    Subscriptions = 16,
}
