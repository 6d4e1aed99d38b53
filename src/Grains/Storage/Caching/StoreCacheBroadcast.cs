using Microsoft.Extensions.Logging;
using Orleans.Runtime;
using Orleans.Runtime.Services;

namespace TaskService.Storage.Caching;

/// <summary>
/// Sends a clear to the <see cref="StoreCacheService"/> of every other active silo, at once, and waits for them. Changes to cached
/// rows are made by hand and are rare, so one message per silo per change costs nothing, and a mapping added through one silo
/// routes events on every silo as soon as the change is answered.
/// </summary>
internal sealed partial class StoreCacheBroadcast(
    IServiceProvider services,
    IClusterMembershipService membership,
    ILocalSiloDetails localSilo,
    ILogger<StoreCacheBroadcast> logger) : GrainServiceClient<IStoreCacheService>(services), IStoreCacheBroadcast
{
    /// <summary>How long a silo may take to answer; one that is slower (or gone) catches up when its entries expire.</summary>
    internal static readonly TimeSpan AnswerTimeout = TimeSpan.FromSeconds(5);

    public async Task ClearElsewhereAsync(CachedRows rows)
    {
        var others = membership.CurrentSnapshot.Members.Values
            .Where(m => m.Status == SiloStatus.Active && !m.SiloAddress.Equals(localSilo.SiloAddress))
            .Select(m => m.SiloAddress)
            .ToArray();
        await Task.WhenAll(others.Select(silo => ClearAsync(silo, rows)));
    }

    private async Task ClearAsync(SiloAddress silo, CachedRows rows)
    {
        try
        {
            await GetGrainService(silo).ClearAsync(rows).WaitAsync(AnswerTimeout);
        }
        catch (Exception exception)
        {
            LogClearFailed(silo.ToString(), rows, exception);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning,
        Message = "Silo {Silo} did not clear its cached {Rows} after a change; it serves them until they expire (TaskService:Cache:Ttl)")]
    private partial void LogClearFailed(string silo, CachedRows rows, Exception exception);
}
