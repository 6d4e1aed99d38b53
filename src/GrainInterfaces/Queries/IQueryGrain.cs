using System.Text.Json;

namespace TaskService.Queries;

/// <summary>Serves list, count and get-by-id reads from the query store; never fans out to entity grains.</summary>
[Alias("TaskService.IQueryGrain")]
public interface IQueryGrain : IGrainWithIntegerKey
{
    /// <summary>The matching rows in their JSON form, projected to the requested fields, with the included relations.</summary>
    [Alias("ListAsync")]
    Task<IReadOnlyList<JsonElement>> ListAsync(EntityKind kind, QueryFilter filter);

    [Alias("CountAsync")]
    Task<long> CountAsync(EntityKind kind, FilterNode? where);

    /// <summary>One row by id, or null.</summary>
    [Alias("GetAsync")]
    Task<JsonElement?> GetAsync(EntityKind kind, string id, IReadOnlyList<string>? fields);

    /// <summary>One row by id with the filter's fields and included relations (its where, order and paging are ignored), or null.</summary>
    [Alias("GetFilteredAsync")]
    Task<JsonElement?> GetFilteredAsync(EntityKind kind, string id, QueryFilter filter);

    /// <summary>The ids of the rows that match, in default order, up to <paramref name="limit"/>.</summary>
    [Alias("FindIdsAsync")]
    Task<IReadOnlyList<string>> FindIdsAsync(EntityKind kind, FilterNode? where, int limit);
}
