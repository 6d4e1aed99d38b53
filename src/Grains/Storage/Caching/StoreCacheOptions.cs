using System.ComponentModel.DataAnnotations;

namespace TaskService.Storage.Caching;

/// <summary>How long read-mostly rows are cached in each silo. Bound from <c>TaskService:Cache</c>.</summary>
public sealed class StoreCacheOptions
{
    public const string SectionName = "TaskService:Cache";

    /// <summary>
    /// How long event and task mappings, workflow ids, client apps and active webhook subscriptions are kept. A change made
    /// through this silo is seen at once; a change made through another silo of a cluster is seen after at most this long.
    /// Zero turns the cache off.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:10:00")]
    public TimeSpan Ttl { get; set; } = TimeSpan.FromSeconds(2);
}
