using Microsoft.Extensions.Logging;
using Orleans.Concurrency;
using Orleans.Runtime;

namespace TaskService.Storage.Caching;

/// <summary>This silo's end of the cache broadcast: clears the silo's <see cref="CachingTaskServiceStore"/>.</summary>
[Reentrant]
internal sealed class StoreCacheService(GrainId grainId, Silo silo, ILoggerFactory loggerFactory, ITaskServiceStore store)
    : GrainService(grainId, silo, loggerFactory), IStoreCacheService
{
    public Task ClearAsync(CachedRows rows)
    {
        (store as CachingTaskServiceStore)?.Clear(rows);
        return Task.CompletedTask;
    }
}
