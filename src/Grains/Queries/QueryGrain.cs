using System.Text.Json;
using Orleans.Concurrency;
using TaskService.Storage;

namespace TaskService.Queries;

/// <summary>Serves reads from the store of the silo it runs in; many activations per silo, no state.</summary>
[StatelessWorker]
public sealed class QueryGrain(ITaskServiceStore store) : Grain, IQueryGrain
{
    private readonly IncludeResolver _include = new(store);

    public Task<IReadOnlyList<JsonElement>> ListAsync(EntityKind kind, QueryFilter filter) => _include.ListAsync(kind, filter);

    public Task<long> CountAsync(EntityKind kind, FilterNode? where) => store.CountAsync(kind, where);

    public Task<JsonElement?> GetAsync(EntityKind kind, string id, IReadOnlyList<string>? fields) => store.GetAsync(kind, id, fields);

    public Task<JsonElement?> GetFilteredAsync(EntityKind kind, string id, QueryFilter filter) => _include.GetAsync(kind, id, filter);

    public Task<IReadOnlyList<string>> FindIdsAsync(EntityKind kind, FilterNode? where, int limit) => store.FindIdsAsync(kind, where, limit);
}
