namespace TaskService.Storage.Caching;

/// <summary>Tells every silo of the cluster that rows of some kinds changed, so none keeps serving them from its cache.</summary>
public interface IStoreCacheBroadcast
{
    /// <summary>Clears <paramref name="rows"/> in every active silo but this one; a silo that does not answer in time catches up when its entries expire.</summary>
    Task ClearElsewhereAsync(CachedRows rows);
}
