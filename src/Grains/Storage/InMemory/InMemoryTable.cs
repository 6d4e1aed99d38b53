using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using TaskService.Queries;
using TaskService.Serialization;

namespace TaskService.Storage.InMemory;

/// <summary>A collection of records with their JSON form, which the filter evaluator reads.</summary>
internal sealed class InMemoryTable<T> : IQueryableTable
    where T : class
{
    private readonly ConcurrentDictionary<string, Row> _rows = new(StringComparer.Ordinal);
    private readonly Func<T, string> _id;

    public InMemoryTable(EntitySchema schema, Func<T, string> id)
    {
        Schema = schema;
        _id = id;
    }

    public EntitySchema Schema { get; }

    public IEnumerable<T> Records => _rows.Values.Select(r => r.Record);

    public T? Get(string id) => _rows.TryGetValue(id, out var row) ? row.Record : null;

    public void Upsert(T record) => _rows[_id(record)] = new Row(record, ToJson(record));

    public bool TryAdd(T record) => _rows.TryAdd(_id(record), new Row(record, ToJson(record)));

    public bool Remove(string id) => _rows.TryRemove(id, out _);

    public void RemoveWhere(Func<T, bool> predicate)
    {
        foreach (var (id, row) in _rows)
        {
            if (predicate(row.Record))
            {
                _rows.TryRemove(id, out _);
            }
        }
    }

    public IReadOnlyList<JsonElement> List(QueryFilter filter) =>
        FilterEvaluator.Apply(_rows.Values.Select(r => r.Json), filter, Schema)
            .Select(o => JsonSerializer.SerializeToElement(o))
            .ToArray();

    public long Count(FilterNode? where) => _rows.Values.LongCount(r => FilterEvaluator.Matches(r.Json, where, Schema));

    public JsonElement? GetJson(string id, IReadOnlyList<string>? fields) =>
        _rows.TryGetValue(id, out var row)
            ? JsonSerializer.SerializeToElement(FilterEvaluator.Project(row.Json, fields))
            : null;

    public IReadOnlyList<string> FindIds(FilterNode? where, int limit) =>
        FilterEvaluator.Apply(_rows.Values.Select(r => r.Json), new QueryFilter { Where = where, Limit = limit, Fields = ["id"] }, Schema)
            .Select(o => o["id"]!.GetValue<string>())
            .ToArray();

    private static JsonObject ToJson(T record) =>
        JsonSerializer.SerializeToNode(record, ContractJson.Options)!.AsObject();

    private sealed record Row(T Record, JsonObject Json);
}
