using System.Text.Json;
using TaskService.Queries;

namespace TaskService.Storage.InMemory;

/// <summary>The reads every in-memory table serves, whatever its record type.</summary>
internal interface IQueryableTable
{
    IReadOnlyList<JsonElement> List(QueryFilter filter);

    long Count(FilterNode? where);

    JsonElement? GetJson(string id, IReadOnlyList<string>? fields);

    IReadOnlyList<string> FindIds(FilterNode? where, int limit);
}
