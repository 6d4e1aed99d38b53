using System.Collections.Concurrent;
using System.Text.Json;
using System.Text.Json.Nodes;
using TaskService.Queries;
using TaskService.Serialization;

namespace TaskService.Storage.InMemory;

/// <summary>
/// A collection of records with their JSON form, which the filter evaluator reads. Records <c>hidden</c> selects (soft-deleted
/// rows) stay in the table for the owning grain but are left out of every query: list, count, get and find.
/// A row's JSON form is made when a query first reads it, not when the record is written: the records are immutable, so it
/// is the same either way, and writes (every event, task and instance) neither pay for it nor keep a JSON tree per row alive.
/// </summary>
internal sealed class InMemoryTable<T> : IQueryableTable
    where T : class
{
    private readonly ConcurrentDictionary<string, Row> _rows = new(StringComparer.Ordinal);
    private readonly Func<T, string> _id;
    private readonly Func<T, bool>? _hidden;

    public InMemoryTable(EntitySchema schema, Func<T, string> id, Func<T, bool>? hidden = null)
    {
        Schema = schema;
        _id = id;
        _hidden = hidden;
    }

    public EntitySchema Schema { get; }

    /// <summary>
    /// The records, enumerated without a snapshot: <c>Values</c> would take every lock of the dictionary and copy it on each call,
    /// and the hot path reads small tables (mappings, workflows, subscriptions) for every event.
    /// </summary>
    public IEnumerable<T> Records => _rows.Select(r => r.Value.Record);

    public T? Get(string id) => _rows.TryGetValue(id, out var row) ? row.Record : null;

    public void Upsert(T record) => _rows[_id(record)] = new Row(record);

    public bool TryAdd(T record) => _rows.TryAdd(_id(record), new Row(record));

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
        FilterEvaluator.Apply(Visible.Select(r => r.Json), filter, Schema)
            .Select(o => JsonSerializer.SerializeToElement(o))
            .ToArray();

    public long Count(FilterNode? where) => Visible.LongCount(r => FilterEvaluator.Matches(r.Json, where, Schema));

    public JsonElement? GetJson(string id, IReadOnlyList<string>? fields) =>
        _rows.TryGetValue(id, out var row) && IsVisible(row)
            ? JsonSerializer.SerializeToElement(FilterEvaluator.Project(row.Json, fields))
            : null;

    public IReadOnlyList<string> FindIds(FilterNode? where, int limit) =>
        FilterEvaluator.Apply(Visible.Select(r => r.Json), new QueryFilter { Where = where, Limit = limit, Fields = ["id"] }, Schema)
            .Select(o => o["id"]!.GetValue<string>())
            .ToArray();

    private IEnumerable<Row> Visible => _hidden is null ? _rows.Select(r => r.Value) : _rows.Select(r => r.Value).Where(IsVisible);

    private bool IsVisible(Row row) => _hidden is null || !_hidden(row.Record);

    private sealed class Row(T record)
    {
        private JsonObject? _json;

        public T Record { get; } = record;

        /// <summary>Made on first read; two queries reading it at once may each make it, and either one is kept.</summary>
        public JsonObject Json => _json ??= JsonSerializer.SerializeToNode(Record, ContractJson.Options)!.AsObject();
    }
}
