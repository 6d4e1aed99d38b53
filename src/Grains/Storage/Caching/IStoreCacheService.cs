using Orleans.Services;

namespace TaskService.Storage.Caching;

/// <summary>Runs in every silo: clears that silo's cached rows when a change is made through any silo.</summary>
public interface IStoreCacheService : IGrainService
{
    Task ClearAsync(CachedRows rows);
}
